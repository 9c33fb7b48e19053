import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../../server/testing/test-server';
import type { LoupeDb } from '$lib/db/database';
import { writeAndRecord } from '$lib/db/label-log';
import { useMarkerStore } from '$lib/db/label-marker';
import { syncLabels } from './label-sync';
import { addDataset, imageSha, testDevice } from './label-sync-testing';
import { detectStorageLoss, dismissStorageLoss } from './storage-loss';

const DATASET = '5e1f0000-0000-4000-8000-00000000aaaa';
const box = (x: number) => ({
  boxes: [{ classIndex: 0, x, y: 0.1, w: 0.2, h: 0.2 }],
  polygons: [],
  imageClass: null,
});

let t: TestApi;
let opened: LoupeDb[] = [];
/** localStorage: survives when IndexedDB is evicted, as in a browser. */
let local: Map<string, string>;

beforeEach(async () => {
  t = await createTestApi();
  local = new Map();
  useMarkerStore({
    getItem: (k) => local.get(k) ?? null,
    setItem: (k, v) => void local.set(k, v),
    removeItem: (k) => void local.delete(k),
  });
});
afterEach(async () => {
  for (const db of opened) {
    db.close();
    await db.delete();
  }
  opened = [];
  useMarkerStore(undefined);
  t.close();
});

describe('storage loss', () => {
  it('notices an evicted database, counts the unsynced edits, and never overwrites the server', async () => {
    const device = testDevice(t, 'evicted');
    opened.push(device.db);
    await addDataset(device.db, DATASET, 3, ['card']);
    await writeAndRecord(device.db, DATASET, imageSha(0), box(0.1));
    await syncLabels(DATASET, device);
    // Three edits made offline, never sent.
    for (const x of [0.2, 0.3, 0.4]) await writeAndRecord(device.db, DATASET, imageSha(1), box(x));
    const before = t.services.labelSync.changes(DATASET, 0);
    expect(await detectStorageLoss(device)).toEqual([]);

    // The browser evicts IndexedDB; localStorage's marker stays.
    device.db.close();
    await device.db.delete();
    const reopened = testDevice(t, 'evicted');
    opened.push(reopened.db);
    const lost = await detectStorageLoss(reopened);
    expect(lost).toEqual([
      {
        datasetId: DATASET,
        name: 'cards',
        unsyncedChanges: 3,
        datasetMissing: true,
        onServer: true,
      },
    ]);
    // The emptied device has nothing to send: a sync refuses, the server keeps every label.
    await expect(syncLabels(DATASET, reopened)).rejects.toThrow(/not on this device/);
    expect(t.services.labelSync.changes(DATASET, 0)).toEqual(before);
    expect(before.images.find((i) => i.sha256 === imageSha(0))?.labels).toEqual(box(0.1));

    // The warning stays until it is dismissed, and is not found twice.
    expect(await detectStorageLoss(reopened)).toEqual(lost);
    dismissStorageLoss(DATASET, reopened.db);
    expect(await detectStorageLoss(reopened)).toEqual([]);
  });

  it('counts against what the server applied when the last answer was lost', async () => {
    let dropAnswer = false;
    const device = testDevice(t, 'lost-answer', (phase) => {
      if (phase === 'after' && dropAnswer) throw new TypeError('Failed to fetch');
    });
    opened.push(device.db);
    await addDataset(device.db, DATASET, 2, ['card']);
    await syncLabels(DATASET, device);
    await writeAndRecord(device.db, DATASET, imageSha(0), box(0.1));
    await writeAndRecord(device.db, DATASET, imageSha(1), box(0.2));
    dropAnswer = true;
    await expect(syncLabels(DATASET, device)).rejects.toThrow(TypeError);
    await writeAndRecord(device.db, DATASET, imageSha(1), box(0.3));
    device.db.close();
    await device.db.delete();
    const reopened = testDevice(t, 'lost-answer');
    opened.push(reopened.db);
    // The server applied the two edits whose answer was lost: only the third is gone.
    const [lost] = await detectStorageLoss(reopened);
    expect(lost?.unsyncedChanges).toBe(1);
  });
});
