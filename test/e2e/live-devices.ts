// Several phones on one live dataset, for the two-device sync tests: one real server, one
// Chromium, a browser context per device, and readers of what the server and each device hold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LabelChanges, LiveLabels } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { noisePhotos, startLabelingServer, type LabelingServer } from './labeling-helpers';

export type Device = { context: BrowserContext; page: Page };

/** What a device stored for a dataset in IndexedDB, labels by file name. */
export type StoredDataset = { classes: string[]; labels: Record<string, LiveLabels> };

/** Starts the server and browser before the file's tests, with `photoCount` noise photos. */
export function useLiveDevices(photoCount = 2) {
  const photoDir = mkdtempSync(join(tmpdir(), 'loupe-live-devices-'));
  const photos: string[] = [];
  let server: LabelingServer;
  let browser: Browser;

  beforeAll(async () => {
    const size = { width: 320, height: 240, mean: 90, sigma: 40 };
    photos.push(...(await noisePhotos(photoDir, photoCount, size)).files);
    server = await startLabelingServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(photoDir, { recursive: true, force: true });
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(server.url + path, {
      headers: { authorization: `Bearer ${server.tokens.userToken}` },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };

  return {
    photos,
    api,
    /** A new phone: its own storage, no service worker (the queue runs from 'online'). */
    async openDevice(): Promise<Device> {
      const context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e));
      await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
      return { context, page };
    },
    /** The server's class list and labels of a live dataset. */
    async serverState(datasetId: string): Promise<StoredDataset> {
      const changes = await api<LabelChanges>(`/api/label-sync/${datasetId}/changes?since=0`);
      return {
        classes: changes.classes,
        labels: Object.fromEntries(changes.images.map((i) => [i.fileName, i.labels])),
      };
    },
    storedDataset,
  };
}

export const syncStatus = (page: Page) => page.getByRole('status').textContent();

/** Presses Sync and waits until the page says it is done. */
export async function syncAndWait(page: Page) {
  await page.getByRole('button', { name: 'Sync', exact: true }).click();
  await expect.poll(() => syncStatus(page), { timeout: 60_000 }).toContain('Synced');
}

/** A dataset's classes and labels as a device stored them in IndexedDB. */
export function storedDataset(page: Page, datasetId: string): Promise<StoredDataset> {
  return page.evaluate(
    (id) =>
      new Promise<StoredDataset>((done, fail) => {
        const open = indexedDB.open('loupe');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['datasets', 'annotations']);
          const dataset = tx.objectStore('datasets').get(id);
          const rows = tx.objectStore('annotations').index('datasetId').getAll(id);
          tx.onerror = () => fail(tx.error);
          tx.oncomplete = () => {
            open.result.close();
            const list = rows.result as (LiveLabels & { fileName: string })[];
            done({
              classes: (dataset.result as { classes: string[] }).classes,
              labels: Object.fromEntries(
                list.map((r) => [
                  r.fileName,
                  { boxes: r.boxes, polygons: r.polygons ?? [], imageClass: r.imageClass ?? null },
                ]),
              ),
            });
          };
        };
      }),
    datasetId,
  );
}
