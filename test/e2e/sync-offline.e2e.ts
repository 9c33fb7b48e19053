// Nothing lost, in Chromium: the network is cut in the middle of a sync and comes back (the sync
// resumes, no image is sent twice, no label is lost); the server's answer to a push is dropped
// after it sealed the version (the client pushes again, nothing is applied twice); and a fresh
// browser pulls the version back, downloading only the images it lacks.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetManifest, DatasetVersion } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { createDataset, drawBox, noisePhotos, startLabelingServer } from './labeling-helpers';
import { plural } from '../../web/lib/text/wording';

const IMAGES = 10;
let server: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const photoDir = mkdtempSync(join(tmpdir(), 'loupe-sync-photos-'));
const photos: string[] = [];
let photoBytes = 0;
/** Each photo's size by its SHA-256, the name its PUT is sent under. */
const sizeBySha = new Map<string, number>();

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(server.url + path, {
    headers: { authorization: `Bearer ${server.tokens.userToken}` },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
};

/**
 * Image bytes a finished upload request delivered to the server: the whole photo for a PUT
 * (answered or refused, its body arrived), what a tus PATCH added (its new offset minus the one
 * it sent). A request cut before it left the browser delivered nothing.
 */
async function acceptedBytes(request: Request) {
  const put = /\/api\/blobs\/([0-9a-f]{64})$/.exec(request.url());
  if (request.method() === 'PUT' && put) return sizeBySha.get(put[1]!) ?? NaN;
  if (request.method() !== 'PATCH' || !request.url().includes('/api/uploads/')) return 0;
  const response = await request.response();
  const after = Number(response?.headers()['upload-offset'] ?? NaN);
  const before = Number(request.headers()['upload-offset'] ?? NaN);
  return Number.isFinite(after - before) ? after - before : 0;
}

beforeAll(async () => {
  // Noise does not compress: about 1.4 MB per photo, so a sync takes long enough to be cut.
  const size = { width: 800, height: 600, mean: 100, sigma: 50, compressionLevel: 0 };
  const made = await noisePhotos(photoDir, IMAGES, size);
  photos.push(...made.files);
  photoBytes = made.bytes;
  for (const file of made.files) {
    const bytes = readFileSync(file);
    sizeBySha.set(createHash('sha256').update(bytes).digest('hex'), bytes.length);
  }
  server = await startLabelingServer();
  browser = await launchChromium();
  // No service worker: page.route must see every API request the page makes.
  context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(photoDir, { recursive: true, force: true });
});

const summary = () => page.getByTestId('dataset-summary');
const boxCount = async () =>
  Number(/(\d+) box(es)?\b/.exec((await summary().textContent()) ?? '')?.[1]);

describe('sync through a network cut and a lost acknowledgement', () => {
  let firstVersion = '';

  it('resumes a sync cut off mid-upload, sends no image twice, and loses no label', async () => {
    await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
    await createDataset(page, 'Offline sync', 'card');
    await page.getByTestId('add-images').setInputFiles(photos);
    await expect
      .poll(() => summary().textContent(), { timeout: 120_000 })
      .toContain(`${plural(IMAGES, 'image')}`);
    await drawBox(page, { x: 0.1, y: 0.1, w: 0.4, h: 0.4 });
    await expect.poll(boxCount).toBe(1);

    let accepted = 0;
    page.on('requestfinished', (r) => void acceptedBytes(r).then((n) => (accepted += n)));
    // The first two images go up (one PUT each: they are smaller than a tus chunk); the next
    // uploads are held on the wire (the only fault injected) until the network is cut, and then
    // fail as a cut connection fails them.
    const held: Route[] = [];
    let uploads = 0;
    await page.route('**/api/blobs/*', async (route) => {
      if (route.request().method() === 'PUT' && ++uploads > 2) held.push(route);
      else await route.continue();
    });
    await page.getByRole('button', { name: 'Sync' }).click();
    await expect.poll(() => held.length).toBeGreaterThan(0);
    await expect.poll(() => accepted).toBeGreaterThan(0);
    await context.setOffline(true);
    for (const route of held) await route.abort('internetdisconnected');
    await page.unroute('**/api/blobs/*');
    await expect
      .poll(() => page.getByTestId('sync-queue').getAttribute('data-state'))
      .toBe('waiting');
    expect(await page.getByTestId('sync-queue').textContent()).toContain('Offline');

    // Labeling goes on offline; this box must reach the server too.
    await drawBox(page, { x: 0.5, y: 0.5, w: 0.3, h: 0.3 });
    await expect.poll(boxCount).toBe(2);
    expect(await api<DatasetVersion[]>('/api/dataset-versions')).toHaveLength(0);

    await context.setOffline(false);
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 120_000 })
      .toContain('Synced');

    const versions = await api<DatasetVersion[]>('/api/dataset-versions');
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ imageCount: IMAGES, boxCount: 2 });
    firstVersion = versions[0]!.id;
    // Every image byte was accepted by the server exactly once: nothing sent twice.
    expect(accepted).toBe(photoBytes);
    const missing = await fetch(`${server.url}/api/blobs/missing`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.tokens.userToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        sha256s: (
          await api<DatasetManifest>(`/api/dataset-versions/${firstVersion}/manifest`)
        ).images.map((i) => i.sha256),
      }),
    });
    expect(await missing.json()).toEqual({ missing: [] });
    await expect.poll(() => page.getByTestId('sync-queue').count()).toBe(0);
  });

  it('pushes again after a lost acknowledgement and applies nothing twice', async () => {
    await drawBox(page, { x: 0.6, y: 0.1, w: 0.2, h: 0.2 });
    await expect.poll(boxCount).toBe(3);
    let posts = 0;
    await page.route('**/api/dataset-versions', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts > 1) return route.continue();
      await route.fetch(); // the server seals the version ...
      await route.abort('connectionreset'); // ... and its answer never reaches the page
    });
    await page.getByRole('button', { name: 'Sync' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 60_000 })
      .toContain('Synced');
    expect(posts).toBe(2);

    const versions = await api<DatasetVersion[]>('/api/dataset-versions');
    expect(versions).toHaveLength(2);
    const second = versions.find((v) => v.id !== firstVersion)!;
    expect(second).toMatchObject({ imageCount: IMAGES, boxCount: 3 });
    expect(await summary().textContent()).toContain(`synced as ${second.id.slice(0, 12)}`);
    await page.unroute('**/api/dataset-versions');
  });

  it('pulls the version into a fresh browser, downloading only what it lacks', async () => {
    const fresh = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
    const other = await fresh.newPage();
    await other.goto(`${server.url}/?token=${server.tokens.userToken}`);
    await other.getByRole('button', { name: 'Show server datasets' }).click();
    const latest = (await api<DatasetVersion[]>('/api/dataset-versions')).find(
      (v) => v.boxCount === 3,
    )!;
    const get = () =>
      other.getByRole('button', { name: `Get Offline sync (${latest.id.slice(0, 12)})` });
    await get().click();
    await expect
      .poll(() => other.getByTestId('pull-result').textContent(), { timeout: 60_000 })
      .toContain(`${plural(IMAGES, 'image')} downloaded`);
    // A second pull of the same version finds every image on the device.
    await get().click();
    await expect
      .poll(() => other.getByTestId('pull-result').textContent())
      .toContain('0 images downloaded');
    await other.getByTestId('pull-result').getByRole('link', { name: 'Open it' }).click();
    await expect
      .poll(() => other.getByTestId('dataset-summary').textContent())
      .toContain(`${plural(IMAGES, 'image')} · 3 boxes`);
    expect(await other.getByTestId('dataset-summary').textContent()).toContain(
      `synced as ${latest.id.slice(0, 12)}`,
    );
    await fresh.close();
  });
});
