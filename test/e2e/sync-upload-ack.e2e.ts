// A lost acknowledgement of an upload, in Chromium, on both upload paths. Small photos go in one
// PUT each: the server stores one whose answer never reaches the browser; before sending it
// again the client asks whether the server still lacks it, finds it stored, and sends nothing.
// A photo larger than one tus chunk goes with tus: the server adopts it on its last PATCH,
// whose answer is dropped; tus-js-client retries, finds the upload gone (it was adopted into
// the blob store), starts a new one, which the server answers "already stored" (200) at once.
// No byte of either image is sent twice.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetVersion } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { createDataset, noisePhotos, startLabelingServer } from './labeling-helpers';
import { plural } from '../../web/lib/text/wording';

const SMALL = 3;
const CHUNK = 4 * 1024 * 1024; // web/lib/sync/blob-upload.ts's CHUNK_BYTES
let server: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let page: Page;
const photoDir = mkdtempSync(join(tmpdir(), 'loupe-ack-photos-'));
const bigDir = mkdtempSync(join(tmpdir(), 'loupe-ack-big-'));
const photos: string[] = [];
let bigSha = '';

beforeAll(async () => {
  const made = await noisePhotos(photoDir, SMALL, { width: 200, height: 150, mean: 90, sigma: 40 });
  photos.push(...made.files);
  // Uncompressed noise: about 4.6 MB, so two tus chunks.
  const big = await noisePhotos(bigDir, 1, {
    width: 1400,
    height: 1100,
    mean: 120,
    sigma: 50,
    compressionLevel: 0,
  });
  expect(big.bytes).toBeGreaterThan(CHUNK);
  expect(big.bytes).toBeLessThan(2 * CHUNK);
  photos.push(...big.files);
  bigSha = createHash('sha256').update(readFileSync(big.files[0]!)).digest('hex');
  server = await startLabelingServer();
  browser = await launchChromium();
  // No service worker: page.route must see every upload request.
  const context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(photoDir, { recursive: true, force: true });
  rmSync(bigDir, { recursive: true, force: true });
});

const isPut = (r: Request) => r.method() === 'PUT' && /\/api\/blobs\/[0-9a-f]{64}$/.test(r.url());

describe('an upload whose answer is lost', () => {
  it('is not sent again, on either path', async () => {
    await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
    await createDataset(page, 'Lost ack', 'card');
    await page.getByTestId('add-images').setInputFiles(photos);
    await expect
      .poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 120_000 })
      .toContain(`${plural(SMALL + 1, 'image')}`);

    const finished: { method: string; url: string; status: number }[] = [];
    let putsSent = 0;
    page.on('request', (request) => {
      if (isPut(request)) putsSent += 1;
    });
    page.on('requestfinished', (request) => {
      void request
        .response()
        .then((r) =>
          finished.push({ method: request.method(), url: request.url(), status: r?.status() ?? 0 }),
        );
    });
    // The first PUT and the big photo's last PATCH reach the server, which stores the image;
    // their answers are dropped. The uploads run side by side: only the first PUT is the one.
    const dropped: Record<'put' | 'patch', number> = { put: 0, patch: 0 };
    let droppingPut = false;
    await page.route('**/api/blobs/*', async (route) => {
      if (!isPut(route.request()) || droppingPut) return route.continue();
      droppingPut = true;
      dropped.put = (await route.fetch()).status();
      await route.abort('connectionreset');
    });
    await page.route('**/api/uploads/*', async (route) => {
      const r = route.request();
      if (r.method() !== 'PATCH' || Number(r.headers()['upload-offset']) !== CHUNK) {
        return route.continue();
      }
      dropped.patch = (await route.fetch()).status();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Sync' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 120_000 })
      .toContain('Synced');

    expect(dropped).toEqual({ put: 201, patch: 204 });
    const versions = (await (
      await fetch(`${server.url}/api/dataset-versions`, {
        headers: { authorization: `Bearer ${server.tokens.userToken}` },
      })
    ).json()) as DatasetVersion[];
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ imageCount: SMALL + 1 });

    // One PUT per small photo: the one whose answer was dropped was not sent again (the client
    // asked /api/blobs/missing first), and the others were answered 201.
    expect(putsSent).toBe(SMALL);
    const puts = finished.filter((u) => u.method === 'PUT');
    expect(puts.map((u) => u.status)).toEqual(Array<number>(SMALL - 1).fill(201));
    expect(puts.some((u) => u.url.endsWith(bigSha))).toBe(false);
    // Two PATCHes for the big photo (two chunks), the dropped second one not repeated; the
    // retry's new upload was answered 200, "already stored", and sent nothing.
    const uploads = finished.filter((u) => u.url.includes('/api/uploads'));
    expect(uploads.filter((u) => u.method === 'PATCH').map((u) => u.status)).toEqual([204]);
    const creations = uploads.filter((u) => u.method === 'POST').map((u) => u.status);
    expect(creations.sort()).toEqual([200, 201]);
  });
});
