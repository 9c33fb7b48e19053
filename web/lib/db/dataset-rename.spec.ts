import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteDb, getDb } from './database';
import { enqueueSync } from './sync-queue';
import {
  addImagesToDataset,
  createDataset,
  deleteDataset,
  getDataset,
  renameDataset,
  setBoxes,
} from './datasets';

const photo = {
  sha256: 'a'.repeat(64),
  blob: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' }),
  fileName: 'a.jpg',
  mimeType: 'image/jpeg' as const,
  width: 64,
  height: 48,
  bytes: 3,
};

beforeEach(async () => {
  await deleteDb();
});

describe('renaming a dataset on this device', () => {
  it('renames a dataset never synced without anything to send', async () => {
    const d = await createDataset('Cards', ['card']);
    const renamed = await renameDataset(d.id, '  Card fronts ');
    expect(renamed.name).toBe('Card fronts');
    expect((await getDataset(d.id))?.renamePending).toBeFalsy();
  });

  it('marks a rename for the next sync once the server holds a live copy', async () => {
    const d = await createDataset('Cards', ['card']);
    await getDb().labelSync.put({ datasetId: d.id, nextSeq: 2, lastAck: 1, cursor: 1 });
    await renameDataset(d.id, 'Card fronts');
    expect(await getDataset(d.id)).toMatchObject({ name: 'Card fronts', renamePending: true });
  });

  it('refuses an empty name and keeps the old one', async () => {
    const d = await createDataset('Cards', ['card']);
    await expect(renameDataset(d.id, '  ')).rejects.toThrow('Give the dataset a name.');
    expect((await getDataset(d.id))?.name).toBe('Cards');
  });
});

describe('deleting a dataset from this device', () => {
  it('leaves no label-sync log, sync state or queued sync behind', async () => {
    const d = await createDataset('Cards', ['card']);
    await addImagesToDataset(d.id, [photo]);
    await setBoxes(d.id, photo.sha256, [{ classIndex: 0, x: 0.1, y: 0.1, w: 0.2, h: 0.2 }]);
    await getDb().labelSync.put({ datasetId: d.id, nextSeq: 2, lastAck: 0, cursor: 0 });
    await enqueueSync(d.id);
    const db = getDb();
    expect(await db.labelLog.count()).toBeGreaterThan(0);
    await deleteDataset(d.id);
    expect(await db.labelLog.count()).toBe(0);
    expect(await db.labelSync.count()).toBe(0);
    expect(await db.syncQueue.count()).toBe(0);
    expect(await db.datasets.count()).toBe(0);
    expect(await db.images.count()).toBe(0);
  });
});
