// Bulk removal from a dataset, and the stored suggestions that must leave with an image: removed
// here in batches, removed on another device and pulled, or gone with the whole dataset. Devices
// sync with the real server in-process (real SQLite) through the real label-sync client.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dexie } from 'dexie';
import { createTestApi, type TestApi } from '../../../server/testing/test-server';
import { syncLabels } from '$lib/sync/label-sync';
import { addDataset, imageSha, testDevice } from '$lib/sync/label-sync-testing';
import { deleteDb, getDb, type LoupeDb } from './database';
import { PartialRemovalError, removeImagesFromDataset } from './dataset-images';
import { deleteDataset } from './datasets';
import { pendingMutations } from './label-log';
import { putSuggestions } from './suggestion-store';

const DATASET = 'b01c0000-0000-4000-8000-000000000001';
const CLASSES = ['card'];
const IMAGES = 130;
const shas = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => imageSha(from + i));
const suggest = (db: LoupeDb, sha256: string) =>
  db.suggestions.put({
    datasetId: DATASET,
    sha256,
    suggestions: [{ classIndex: 0, className: 'card', confidence: 0.8, x: 0, y: 0, w: 1, h: 1 }],
    best: 0.8,
    worst: 0.8,
  });

let t: TestApi;
let others: LoupeDb[] = [];

/** This device (getDb()) holding the dataset, synced once so the server knows every image. */
async function syncedHere() {
  await addDataset(getDb(), DATASET, IMAGES, CLASSES);
  const here = testDevice(t, 'here-transport');
  others.push(here.db);
  await syncLabels(DATASET, { db: getDb(), transport: here.transport });
  return here;
}

beforeEach(async () => {
  await deleteDb();
  t = await createTestApi();
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const db of others) {
    db.close();
    await db.delete();
  }
  others = [];
  t.close();
});

describe('removeImagesFromDataset', () => {
  it('removes in batches of 50, records one removal per photo, and clears their suggestions', async () => {
    await syncedHere();
    const gone = shas(0, 120);
    for (const sha256 of [...shas(0, 3), imageSha(125)])
      await putSuggestions(
        DATASET,
        sha256,
        [{ classIndex: 0, confidence: 0.5, x: 0, y: 0, w: 1, h: 1 }],
        CLASSES,
      );
    const batches: number[] = [];
    const removed = await removeImagesFromDataset(DATASET, gone, (b) => batches.push(b.length));
    expect(removed).toBe(120);
    expect(batches).toEqual([50, 50, 20]);
    const db = getDb();
    expect(await db.annotations.where('datasetId').equals(DATASET).count()).toBe(10);
    expect(await db.images.count()).toBe(10);
    const log = await pendingMutations(db, DATASET);
    expect(log.every((m) => m.kind === 'remove')).toBe(true);
    expect(log.map((m) => m.sha256).sort()).toEqual([...gone].sort());
    expect(await db.suggestions.toCollection().primaryKeys()).toEqual([[DATASET, imageSha(125)]]);
  });

  it('keeps the batches before a failure removed, says how many, and leaves the rest untouched', async () => {
    await syncedHere();
    const table = getDb().annotations;
    const remove = table.delete.bind(table);
    const failing = imageSha(60); // in the second batch
    vi.spyOn(table, 'delete').mockImplementation((key) =>
      Array.isArray(key) && key[1] === failing
        ? Dexie.Promise.reject(new DOMException('disk I/O failed', 'UnknownError'))
        : remove(key),
    );
    const error = await removeImagesFromDataset(DATASET, shas(0, 120)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialRemovalError);
    expect((error as PartialRemovalError).message).toMatch(
      /^50 photos were removed; the other 70 are untouched/,
    );
    const db = getDb();
    expect(await db.annotations.where('datasetId').equals(DATASET).count()).toBe(IMAGES - 50);
    // The failed batch rolled back whole: no removal recorded for a photo still held.
    const log = await pendingMutations(db, DATASET);
    expect(log.map((m) => m.sha256).sort()).toEqual(shas(0, 50).sort());
  });
});

describe('stored suggestions', () => {
  it('leave with an image another device removed, when the removal is pulled', async () => {
    const here = await syncedHere();
    const other = testDevice(t, 'other-device');
    others.push(other.db);
    await addDataset(other.db, DATASET, IMAGES, CLASSES);
    await syncLabels(DATASET, other);
    await suggest(other.db, imageSha(1));
    await suggest(other.db, imageSha(2));

    await removeImagesFromDataset(DATASET, [imageSha(1)]);
    await syncLabels(DATASET, { db: getDb(), transport: here.transport });
    await syncLabels(DATASET, other);

    expect(await other.db.annotations.get([DATASET, imageSha(1)])).toBeUndefined();
    expect(await other.db.suggestions.toCollection().primaryKeys()).toEqual([
      [DATASET, imageSha(2)],
    ]);
  });

  it('leave with the dataset when it is deleted, and other datasets keep theirs', async () => {
    await addDataset(getDb(), DATASET, 3, CLASSES);
    await suggest(getDb(), imageSha(0));
    await getDb().suggestions.put({
      ...(await getDb().suggestions.get([DATASET, imageSha(0)]))!,
      datasetId: 'another',
    });
    await deleteDataset(DATASET);
    expect(await getDb().suggestions.toCollection().primaryKeys()).toEqual([
      ['another', imageSha(0)],
    ]);
  });
});
