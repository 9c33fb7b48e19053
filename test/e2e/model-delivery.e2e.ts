/**
 * Model delivery through a channel, in Chromium against the real server and the built PWA, with
 * two real Ultralytics detect exports (the detect fixture, and one trained for fewer epochs)
 * registered through the runner protocol over HTTP. The scan page follows a channel: promotions
 * and a rollback reach it as live events and swap the model in the running scan without a
 * reload; a download damaged on the way (Playwright rewrites bytes of the response) is refused
 * and the old model keeps running; offline, the stored model still loads and runs.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../server/env';
import { startServer } from '../../server/server';
import { inferenceFixture } from '../fixtures/inference-harness';
import { FAKE_CAMERA_FLAGS, launchChromium, PHONE } from './browser';
import { fixtureRegistry } from './registered-models';

const CHANNEL = 'cards/production';
const dirA = inferenceFixture('detect');
const dirB = inferenceFixture('detect', ['--epochs', '3']);
const dataDir = join(tmpdir(), `loupe-delivery-e2e-${process.pid}`);
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

let registry: ReturnType<typeof fixtureRegistry>;
const user = <T>(path: string, init?: RequestInit & { json?: unknown }) =>
  registry.user<T>(path, init);

let A: string;
let B: string;

beforeAll(async () => {
  server = await startServer(
    readEnv({
      LOUPE_PORT: '0',
      LOUPE_DATA_DIR: dataDir,
      LOUPE_RUNNER: 'off',
      LOUPE_WEB_DIR: resolve('build'),
    }),
  );
  registry = fixtureRegistry(server.url, server.tokens);
  const dataset = await registry.seedDataset(dirA);
  A = await registry.registerFixture(dirA, dataset.id);
  B = await registry.registerFixture(dirB, dataset.id);
  browser = await launchChromium(FAKE_CAMERA_FLAGS);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Promotes as another client (the operator's script) would. */
const promote = (modelId: string) =>
  user('/api/channels/promote', { method: 'POST', json: { channel: CHANNEL, modelId } });

const running = (page: Page) => page.getByTestId('channel-running').getAttribute('data-model-id');
const stats = (page: Page) => page.getByTestId('scan-stats');
const processed = async (page: Page) =>
  Number((await stats(page).getAttribute('data-processed')) ?? 0);
const answeredBy = (page: Page) => stats(page).getAttribute('data-result-model');

/** Frames keep being answered, by `modelId`: the scan did not stop. */
async function keepsScanningWith(page: Page, modelId: string) {
  const before = await processed(page);
  await expect.poll(() => processed(page), { timeout: 60_000 }).toBeGreaterThan(before + 2);
  expect(await answeredBy(page)).toBe(modelId);
}

describe('model delivery through a channel', () => {
  it('follows, downloads, verifies, swaps live, refuses damage, rolls back and runs offline', async () => {
    const context = await browser.newContext({ ...PHONE, permissions: ['camera'] });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    const modelFetches: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/model.onnx')) modelFetches.push(r.url());
    });
    const fileOf = (id: string) => `${server.url}/api/models/${id}/model.onnx`;

    await page.goto(`${server.url}/scan?token=${server.tokens.userToken}`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    // Follow a channel that has no version yet: the page says so.
    await page.getByTestId('channel-select').fill(CHANNEL);
    await page.getByTestId('channel-follow').click();
    await expect
      .poll(() => page.getByTestId('channel-error').textContent())
      .toMatch(/does not exist on the server yet/);

    // Promote A on its version page (a second tab): a live event reaches the scan page, which
    // downloads, verifies, stores and loads it.
    const admin = await context.newPage();
    await admin.goto(`${server.url}/models/${A}`);
    await admin.getByTestId('promote-channel').fill('Cards Production');
    await admin.getByText('a channel name is "<model line>/<stage>"').waitFor();
    await admin.getByTestId('promote-channel').fill(CHANNEL);
    await admin.getByRole('button', { name: 'Promote' }).click();
    await admin.getByText(`${CHANNEL} now points at this version.`).waitFor();
    await expect.poll(() => running(page), { timeout: 120_000 }).toBe(A);
    expect(modelFetches).toEqual([fileOf(A)]);
    await page.evaluate(() => ((window as { marker?: number }).marker = 1)); // a reload drops it
    await page.getByTestId('scan-start').click();
    await keepsScanningWith(page, A);

    // Promote B, damaged on the way: refused, nothing switched, A keeps answering frames.
    await page.route(fileOf(B), async (route: Route) => {
      const response = await route.fetch();
      const body = await response.body();
      body[body.length >> 1]! ^= 0xff;
      await route.fulfill({ response, body });
    });
    await promote(B);
    await expect
      .poll(() => page.getByTestId('channel-error').textContent(), { timeout: 120_000 })
      .toMatch(/refused: the downloaded file's SHA-256 .* Nothing was stored; .* keeps running/);
    expect(await running(page)).toBe(A);
    await keepsScanningWith(page, A);
    await page.unroute(fileOf(B));

    // Retry with the file held back by the network: A runs until B is here and verified.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(fileOf(B), async (route: Route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.getByTestId('channel-download').waitFor();
    await keepsScanningWith(page, A);
    expect(await running(page)).toBe(A);
    release();
    await expect.poll(() => running(page), { timeout: 120_000 }).toBe(B);
    await expect.poll(() => answeredBy(page), { timeout: 60_000 }).toBe(B);
    await keepsScanningWith(page, B);
    expect(await page.getByTestId('channel-updated').textContent()).toContain(B.slice(0, 8));
    expect(await page.evaluate(() => (window as { marker?: number }).marker)).toBe(1);
    await page.unroute(fileOf(B));

    // Roll back (on the version page): A is still stored, so it is loaded with no download.
    const fetchesBefore = modelFetches.length;
    await admin.reload();
    await admin.getByTestId(`rollback-${CHANNEL}`).click();
    await admin.getByText(`${CHANNEL} rolled back to`).waitFor();
    await expect.poll(() => running(page), { timeout: 60_000 }).toBe(A);
    await expect.poll(() => answeredBy(page), { timeout: 60_000 }).toBe(A);
    await keepsScanningWith(page, A);
    expect(modelFetches.length).toBe(fetchesBefore);
    expect(await page.evaluate(() => (window as { marker?: number }).marker)).toBe(1);

    // A version a channel points at cannot be deleted: the page says so before, with no button.
    await admin.getByRole('button', { name: 'Delete version' }).click();
    await admin.getByText(`${CHANNEL} points at this version, so it cannot be deleted`).waitFor();
    expect(await admin.getByTestId('delete-version').count()).toBe(0);
    await admin.close();

    // Offline: the page opens from the service worker and runs the stored model.
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => running(page), { timeout: 60_000 }).toBe(A);
    await page.getByTestId('scan-start').click();
    await keepsScanningWith(page, A);
    expect(await page.getByTestId('channel-running').textContent()).toMatch(/offline/);
    await context.close();
  });
});
