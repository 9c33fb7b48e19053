/**
 * A phone on the same network, end to end, on a non-loopback https origin: `loupe.lan`, resolved
 * by Chromium to this machine, served with the certificate Loupe's own CA issued, and that CA
 * trusted the way a phone trusts it after the set-up page's steps (an NSS database, no
 * certificate flag). Plain http on the same port shows the set-up page and redirects the rest;
 * the phone logs in with a pairing code; then, in a phone viewport with touch: a dataset is
 * created, photos added and labeled, the service worker installs, an offline reload still
 * labels, Sync uploads, a model version downloads through a channel and is verified, and Scan
 * runs it on the (fake) camera with WASM threads, cross-origin isolated.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetVersion, PairingCode } from '../../server/contract';
import { inferenceFixture } from '../fixtures/inference-harness';
import { FAKE_CAMERA_FLAGS, PHONE } from './browser';
import { boxClasses, createDataset, drawBox } from './labeling-helpers';
import { launchTrustingChromium, startLanLoupe } from './lan-https';
import { generateCards } from './loupe-server';
import { fixtureRegistry } from './registered-models';

const CHANNEL = 'cards/phone';
const cards = generateCards(3, 12);
const model = inferenceFixture('detect');
/** Set to a folder to keep screenshots of the set-up page (the README's come from here). */
const shots = process.env.LOUPE_SCREENSHOTS;

let loupe: Awaited<ReturnType<typeof startLanLoupe>>;
let chromium: Awaited<ReturnType<typeof launchTrustingChromium>>;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  loupe = await startLanLoupe();
  chromium = await launchTrustingChromium(loupe.caPath, FAKE_CAMERA_FLAGS);
  context = await chromium.browser.newContext({ ...PHONE, permissions: ['camera'] });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});
afterAll(async () => {
  await chromium?.close();
  await loupe?.close();
});

const shot = async (name: string) => {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

describe('a phone on the same network', () => {
  it('meets the set-up page over plain http, and is sent to https for the app', async () => {
    await page.goto(loupe.onboarding);
    await page.getByRole('heading', { name: 'Connect this phone to Loupe' }).waitFor();
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    expect(await page.getByRole('link', { name: 'Android' }).getAttribute('href')).toBe('/ca.crt');
    expect(await page.getByRole('link', { name: 'iPhone or iPad' }).getAttribute('href')).toBe(
      '/loupe-ca.mobileconfig',
    );
    await shot('phone-onboarding');

    // The CA download is the CA the browser trusts (checked in server/http/https-server.spec.ts
    // byte for byte); here, that the link works from the phone.
    const download = await page.evaluate(async () => {
      const res = await fetch('/ca.crt');
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        size: (await res.arrayBuffer()).byteLength,
      };
    });
    expect(download).toMatchObject({ status: 200, type: 'application/x-x509-ca-cert' });
    expect(download.size).toBeGreaterThan(300);

    // Any other plain-http address lands on https.
    await page.goto(`http://loupe.lan:${loupe.port}/datasets`);
    expect(page.url()).toBe(`${loupe.origin}/datasets`);
  });

  it('logs in with a pairing code, and the https origin is secure and cross-origin isolated', async () => {
    await page.goto(loupe.origin);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('phone-pair');
    const { code } = await loupe.api<PairingCode>('/api/pairing/codes', { method: 'POST' });
    await page.getByLabel('Pairing code').fill(code);
    await page.getByRole('button', { name: 'Pair this device' }).tap();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();

    const context = await page.evaluate(() => ({
      secure: window.isSecureContext,
      isolated: window.crossOriginIsolated,
      uuid: typeof crypto.randomUUID,
      subtle: typeof crypto.subtle,
      locks: 'locks' in navigator,
      camera: 'mediaDevices' in navigator,
    }));
    expect(context).toEqual({
      secure: true,
      isolated: true,
      uuid: 'function',
      subtle: 'object',
      locks: true,
      camera: true,
    });
    expect(await page.getByText('This is not a secure connection').count()).toBe(0);
    // The token arrived over https and is kept; it is nowhere in the address.
    expect(await page.evaluate(() => localStorage.getItem('loupe.token'))).toBe(
      loupe.tokens.userToken,
    );
    expect(page.url()).not.toContain('token');
  });

  it('shows "Connect a phone", whose code (as its QR link carries it) pairs a second phone', async () => {
    await page.goto(`${loupe.origin}/connect`);
    await page.getByRole('heading', { name: 'Connect a phone' }).waitFor();
    await page.getByRole('img', { name: 'QR code that logs a phone in' }).waitFor();
    const code = (await page.getByTestId('pairing-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const second = await context.browser()!.newContext(PHONE);
    const other = await second.newPage();
    await other.goto(`${loupe.origin}/pair#code=${code}`);
    await other.getByRole('heading', { name: 'Datasets' }).waitFor();
    expect(await other.evaluate(() => localStorage.getItem('loupe.token'))).toBe(
      loupe.tokens.userToken,
    );
    expect(other.url()).toBe(`${loupe.origin}/`);
    await second.close();
    await page.goto(loupe.origin);
  });

  it('creates a dataset, labels photos, installs, and labels again offline', async () => {
    await createDataset(page, 'Phone cards', 'card');
    await page.getByTestId('add-images').setInputFiles(cards.images.map((i) => cards.path(i.file)));
    await expect.poll(() => page.getByTestId('image-position').textContent()).toMatch(/1 \/ 3/);
    await drawBox(page, { x: 0.1, y: 0.1, w: 0.5, h: 0.4 });
    await expect.poll(() => boxClasses(page)).toEqual([0]);

    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('image-position').textContent()).toMatch(/1 \/ 3/);
    await expect.poll(() => boxClasses(page)).toEqual([0]);
    await page.getByTestId('image-strip').getByRole('button').nth(1).tap();
    await expect.poll(() => page.getByTestId('image-position').textContent()).toMatch(/2 \/ 3/);
    await drawBox(page, { x: 0.2, y: 0.3, w: 0.4, h: 0.4 });
    await expect.poll(() => boxClasses(page)).toEqual([0]);
    await context.setOffline(false);
  });

  it('syncs its photos and labels to the server', async () => {
    await page.getByRole('button', { name: 'Sync' }).tap();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 120_000 })
      .toContain('Synced');
    const versions = await loupe.api<DatasetVersion[]>('/api/dataset-versions');
    const synced = versions.find((v) => v.name === 'Phone cards');
    expect(synced?.imageCount).toBe(3);
    expect(synced?.boxCount).toBe(2);
  });

  it('downloads a model version through a channel, verifies it, and scans with WASM threads', async () => {
    const registry = fixtureRegistry(loupe.url, loupe.tokens);
    const dataset = await registry.seedDataset(model);
    const id = await registry.registerFixture(model, dataset.id);
    await registry.user('/api/channels/promote', {
      method: 'POST',
      json: { channel: CHANNEL, modelId: id },
    });

    await page.goto(`${loupe.origin}/scan`);
    await page.getByTestId('channel-select').fill(CHANNEL);
    await page.getByTestId('channel-follow').tap();
    // Stored only after its SHA-256 matched the server's (channel-follower.ts).
    await expect
      .poll(() => page.getByTestId('channel-running').getAttribute('data-model-id'), {
        timeout: 120_000,
      })
      .toBe(id);
    await page.getByTestId('scan-start').tap();
    const stats = page.getByTestId('scan-stats');
    await expect
      .poll(async () => Number((await stats.getAttribute('data-processed')) ?? 0), {
        timeout: 120_000,
      })
      .toBeGreaterThanOrEqual(3);
    expect(await stats.getAttribute('data-result-model')).toBe(id);
    expect(await stats.textContent()).toMatch(/WASM.* × \d+ threads/);
    await page.getByRole('button', { name: 'Stop' }).tap();
  });
});
