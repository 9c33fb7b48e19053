// The offline sync queue as stored: which datasets wait to be sent to the server, which one is
// uploading and how far it got, which failed and why. When the queue runs and how it retries
// lives in $lib/sync/sync-queue.ts; this module only reads and writes its rows.
import { liveQuery, type Observable } from 'dexie';
import { getDb } from './database';

export type SyncState = 'waiting' | 'uploading' | 'failed';

export interface SyncQueueRow {
  datasetId: string;
  state: SyncState;
  /** Why it waits or failed, written for the person who asked for the sync. */
  reason?: string;
  imagesDone: number;
  imagesTotal: number;
  bytesSent: number;
  bytesTotal: number;
  requestedAt: number;
  updatedAt: number;
}

/** Asks for a sync of this dataset; a request already waiting or running keeps its place. */
export async function enqueueSync(datasetId: string, now = Date.now()): Promise<void> {
  const db = getDb();
  await db.transaction('rw', db.syncQueue, async () => {
    const row = await db.syncQueue.get(datasetId);
    if (row && row.state !== 'failed') return;
    await db.syncQueue.put({
      datasetId,
      state: 'waiting',
      imagesDone: 0,
      imagesTotal: 0,
      bytesSent: 0,
      bytesTotal: 0,
      requestedAt: row?.requestedAt ?? now,
      updatedAt: now,
    });
  });
}

/** Requests ready to run, oldest first. */
export async function waitingSyncs(): Promise<SyncQueueRow[]> {
  const rows = await getDb().syncQueue.orderBy('requestedAt').toArray();
  return rows.filter((r) => r.state === 'waiting');
}

export async function getSync(datasetId: string): Promise<SyncQueueRow | undefined> {
  return getDb().syncQueue.get(datasetId);
}

export async function updateSync(
  datasetId: string,
  change: Partial<Omit<SyncQueueRow, 'datasetId'>>,
): Promise<void> {
  await getDb().syncQueue.update(datasetId, { ...change, updatedAt: Date.now() });
}

/** Rows a closed tab left 'uploading' wait again: their uploads resume where they stopped. */
export async function requeueInterrupted(): Promise<void> {
  await getDb()
    .syncQueue.filter((row) => row.state === 'uploading')
    .modify({ state: 'waiting' });
}

export async function removeSync(datasetId: string): Promise<void> {
  await getDb().syncQueue.delete(datasetId);
}

/** The dataset's queue row as it changes (undefined when nothing is queued). */
export function watchSync(datasetId: string): Observable<SyncQueueRow | undefined> {
  return liveQuery(() => getDb().syncQueue.get(datasetId));
}
