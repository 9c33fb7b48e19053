import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetManifest, DatasetVersion } from '$contract';
import {
  createTestApi,
  sha256Of,
  tinyPng,
  type TestApi,
} from '../../../server/testing/test-server';
import { deleteDb, getDb } from '$lib/db/database';
import { listDatasets } from '$lib/db/datasets';
import { BATCH_IMAGES, pullDatasetVersion } from './dataset-pull';

// More than one batch, so a pull cut after the first batch also has a part-filled one to keep.
const IMAGES = BATCH_IMAGES + 12;
const CUT_AFTER = BATCH_IMAGES + 5;

let t: TestApi;
let version: DatasetVersion;
/** Image downloads answered so far; past `cutAfter` the network is gone. */
let downloads = 0;
let cutAfter = Infinity;

beforeEach(async () => {
  await deleteDb();
  t = await createTestApi();
  const images: DatasetManifest['images'] = [];
  for (let n = 0; n < IMAGES; n++) {
    const png = tinyPng(n);
    const sha256 = sha256Of(png);
    await t.user(`/api/blobs/${sha256}`, { method: 'PUT', body: png });
    images.push({ sha256, fileName: `${n}.png`, width: 2, height: 2, boxes: [] });
  }
  const manifest: DatasetManifest = { name: 'pulled', classes: ['card'], images };
  version = (await (
    await t.user('/api/dataset-versions', { method: 'POST', json: manifest })
  ).json()) as DatasetVersion;
  downloads = 0;
  cutAfter = Infinity;
  // The page's two boundaries: its token in localStorage, and the network (the real server,
  // in-process), which fails as a browser's fetch does once the connection is cut.
  vi.stubGlobal('localStorage', { getItem: () => 'user-token' });
  vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
    if (input.startsWith('/api/blobs/') && ++downloads > cutAfter) {
      throw new TypeError('Failed to fetch');
    }
    return t.api.request(input, init);
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  t.close();
});

describe('pullDatasetVersion', () => {
  it('keeps the images that arrived before the network was cut; the next pull gets the rest', async () => {
    cutAfter = CUT_AFTER;
    await expect(pullDatasetVersion(version)).rejects.toThrow(TypeError);
    // No half dataset, but every image that arrived is stored, checked against its hash.
    expect(await listDatasets()).toEqual([]);
    expect(await getDb().images.count()).toBe(CUT_AFTER);

    cutAfter = Infinity;
    downloads = 0;
    const progress: number[] = [];
    const pulled = await pullDatasetVersion(version, (p) => progress.push(p.total));
    expect(pulled.downloaded).toBe(IMAGES - CUT_AFTER);
    expect(downloads).toBe(IMAGES - CUT_AFTER);
    expect(progress[0]).toBe(IMAGES - CUT_AFTER);
    expect(await getDb().images.count()).toBe(IMAGES);
    const rows = await getDb().annotations.where('datasetId').equals(pulled.dataset.id).toArray();
    expect(rows).toHaveLength(IMAGES);
    const dataset = await getDb().datasets.get(pulled.dataset.id);
    expect(dataset?.lastSyncedVersionId).toBe(version.id);
  });

  it('pulls everything in one go and, pulled again, downloads nothing', async () => {
    const first = await pullDatasetVersion(version);
    expect(first.downloaded).toBe(IMAGES);
    const stored = await getDb().images.toArray();
    expect(stored).toHaveLength(IMAGES);
    for (const row of stored) {
      const bytes = new Uint8Array(await row.blob.arrayBuffer());
      expect(sha256Of(bytes)).toBe(row.sha256);
      expect(row).toMatchObject({
        mimeType: 'image/png',
        width: 2,
        height: 2,
        bytes: bytes.length,
      });
    }
    downloads = 0;
    const again = await pullDatasetVersion(version);
    expect(again.downloaded).toBe(0);
    expect(downloads).toBe(0);
  });
});
