// A lost acknowledgement of an upload, in Chromium: the server stores an image from a tus PATCH
// whose answer never reaches the browser. tus-js-client retries: the upload it knew is gone (it
// was adopted into the blob store), so it starts a new one, which the server answers "already
// stored" (200) at once; the client takes that as done. No byte of that image is sent twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetVersion } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { createDataset, noisePhotos, startLabelingServer } from './labeling-helpers';

const IMAGES = 3;
let server: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let page: Page;
const photoDir = mkdtempSync(join(tmpdir(), 'loupe-ack-photos-'));
const photos: string[] = [];

beforeAll(async () => {
  const made = await noisePhotos(photoDir, IMAGES, {
    width: 200,
    height: 150,
    mean: 90,
    sigma: 40,
  });
  photos.push(...made.files);
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
});

describe('an upload whose answer is lost', () => {
  it('is not sent again: the new upload is answered as already stored', async () => {
    await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
    await createDataset(page, 'Lost ack', 'card');
    await page.getByTestId('add-images').setInputFiles(photos);
    await expect
      .poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 120_000 })
      .toContain(`${IMAGES} image(s)`);

    const uploads: { method: string; status: number }[] = [];
    page.on('requestfinished', (request) => {
      if (!request.url().includes('/api/uploads')) return;
      void request
        .response()
        .then((r) => uploads.push({ method: request.method(), status: r?.status() ?? 0 }));
    });
    // The first PATCH reaches the server (which stores the image) and its answer is dropped.
    let dropped = 0;
    let dropping = false; // the uploads run side by side: only the first PATCH is the one
    await page.route('**/api/uploads/*', async (route) => {
      if (route.request().method() !== 'PATCH' || dropping) return route.continue();
      dropping = true;
      const answer = await route.fetch();
      dropped = answer.status();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Sync' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 120_000 })
      .toContain('Synced');

    expect(dropped).toBe(204);
    const versions = (await (
      await fetch(`${server.url}/api/dataset-versions`, {
        headers: { authorization: `Bearer ${server.tokens.userToken}` },
      })
    ).json()) as DatasetVersion[];
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ imageCount: IMAGES });
    // One PATCH per image (each fits in one chunk): the dropped one was not repeated. The
    // retry's new upload was answered 200, "already stored", and sent nothing.
    const patches = uploads.filter((u) => u.method === 'PATCH');
    expect(patches.filter((u) => u.status === 204)).toHaveLength(IMAGES - 1);
    const creations = uploads.filter((u) => u.method === 'POST').map((u) => u.status);
    expect(creations.sort()).toEqual([200, ...Array<number>(IMAGES).fill(201)]);
  });
});
