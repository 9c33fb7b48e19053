/**
 * The live scan page in Chromium with its fake camera: it lists the server's models, downloads
 * the chosen one, opens the (rear) camera, and runs the model on camera frames in the worker,
 * showing fps, per-stage milliseconds and the backend. The models API is answered with the
 * detect fixture (a real Ultralytics export) so no training is needed; everything else is the
 * built PWA on the real server.
 */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, PHONE } from './browser';
import { fixtureModelVersion, startPwaServer } from '../fixtures/inference-harness';

const { onnx, model } = fixtureModelVersion('detect');

let server: Awaited<ReturnType<typeof startPwaServer>>;
let browser: Awaited<ReturnType<typeof chromium.launch>>;

beforeAll(async () => {
  server = await startPwaServer('scan-e2e');
  browser = await chromium.launch({
    executablePath: process.env.LOUPE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_FLAGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('live scan, in Chromium with a fake camera', () => {
  it('runs the chosen model on camera frames and shows fps, timings and backend', async () => {
    const context = await browser.newContext({ ...PHONE, permissions: ['camera'] });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    // The page runs under Loupe's content security policy: nothing it does may be refused, and
    // the token in the first address must never leave in a Referer.
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.addInitScript(() => {
      addEventListener('securitypolicyviolation', (e) =>
        console.error(`Content Security Policy refused ${e.blockedURI} (${e.violatedDirective})`),
      );
    });
    const referers: string[] = [];
    page.on('request', (r) => referers.push(r.headers()['referer'] ?? ''));
    await page.route(`${server.url}/api/models`, (route) => route.fulfill({ json: [model] }));
    await page.route(`${server.url}/api/models/${model.id}/model.onnx`, (route) =>
      route.fulfill({ body: onnx, contentType: 'application/octet-stream' }),
    );
    await page.goto(`${server.url}/scan?token=${server.tokens.userToken}`);
    await expect.poll(() => page.getByTestId('scan-model').inputValue()).toBe(model.id);
    await page.getByTestId('scan-start').click();
    const stats = page.getByTestId('scan-stats');
    await expect
      .poll(async () => Number((await stats.getAttribute('data-processed')) ?? 0), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(5);
    const text = (await stats.textContent()) ?? '';
    console.log(`scan: ${text.replace(/\s+/g, ' ').trim()}`);
    expect(text).toMatch(/[\d.]+ fps/);
    expect(text).toMatch(/pre \d+ ms · model \d+ ms · post\s+\d+ ms/);
    expect(text).toMatch(/WASM \(WebGPU not available\)/);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(refused).toEqual([]);
    expect(referers.length).toBeGreaterThan(10);
    expect(referers.filter((r) => r.includes(server.tokens.userToken))).toEqual([]);
    // Stop releases the camera.
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => stats.count()).toBe(0);
    await context.close();
  });
});
