// Storage loss (docs/sync-protocol.md): the browser may evict IndexedDB while edits were not yet
// sent. The marker in localStorage (label-marker.ts) remembers the device id and, per dataset,
// the last edit recorded and acknowledged; the server says what it last applied from that
// device. Their difference is what was lost, and the app says so. Nothing is ever pushed to
// "repair" it: pushes are edits, so an emptied device has nothing to overwrite the server with.
import { getDb, type LoupeDb } from '$lib/db/database';
import { deviceId, renumberAfterGap, storedDeviceId, syncState } from '$lib/db/label-log';
import {
  readLoss,
  readMarker,
  writeLoss,
  writeMarker,
  type LabelMarker,
  type LostDataset,
} from '$lib/db/label-marker';
import type { PullProgress } from './dataset-pull';
import { joinLiveDataset } from './live-dataset-join';
import { labelSyncTransport, syncLabels, type LabelSyncTransport } from './label-sync';

export interface StorageLossOptions {
  db?: LoupeDb;
  transport?: LabelSyncTransport;
}

/** The server's last applied seq of that device, or undefined offline. */
async function serverSeq(t: LabelSyncTransport, datasetId: string, device: string) {
  try {
    return await t.device(datasetId, device);
  } catch {
    return undefined;
  }
}

/** The whole database is gone: every dataset the marker lists was lost with it. */
async function lostDatabase(db: LoupeDb, t: LabelSyncTransport, marker: LabelMarker) {
  const lost: LostDataset[] = [];
  for (const [datasetId, m] of Object.entries(marker.datasets)) {
    const server = await serverSeq(t, datasetId, marker.deviceId);
    const acked = server ? server.lastSeq : m.acked;
    lost.push({
      datasetId,
      name: m.name,
      unsyncedChanges: Math.max(0, m.recorded - acked),
      datasetMissing: !(await db.datasets.get(datasetId)),
      onServer: server?.datasetKnown ?? m.acked > 0,
    });
  }
  return lost;
}

/** Same database, but a dataset's log is behind what was recorded (an older copy came back). */
async function lostEntries(db: LoupeDb, t: LabelSyncTransport, marker: LabelMarker) {
  const lost: LostDataset[] = [];
  for (const [datasetId, m] of Object.entries(marker.datasets)) {
    if (!(await db.datasets.get(datasetId))) continue; // deleted here on purpose
    const state = await syncState(db, datasetId);
    if (state.nextSeq - 1 >= m.recorded) continue;
    const server = await serverSeq(t, datasetId, marker.deviceId);
    // Never reuse a seq the server applied: it would take a new edit for a replay.
    await renumberAfterGap(db, datasetId, Math.max(m.recorded, server?.lastSeq ?? 0));
    lost.push({
      datasetId,
      name: m.name,
      unsyncedChanges: Math.max(0, m.recorded - (server?.lastSeq ?? m.acked)),
      datasetMissing: false,
      onServer: server?.datasetKnown ?? m.acked > 0,
    });
  }
  return lost;
}

/**
 * Runs on open. Returns every loss found and not yet dismissed (this run's and earlier ones'),
 * and starts a fresh marker for what this device holds now.
 */
export async function detectStorageLoss(o: StorageLossOptions = {}): Promise<LostDataset[]> {
  const db = o.db ?? getDb();
  const t = o.transport ?? labelSyncTransport();
  const marker = readMarker(db.name);
  if (!marker) return readLoss(db.name);
  const local = await storedDeviceId(db);
  const found =
    local === marker.deviceId
      ? await lostEntries(db, t, marker)
      : await lostDatabase(db, t, marker);
  if (found.length === 0) return readLoss(db.name);
  const earlier = readLoss(db.name).filter((l) => !found.some((f) => f.datasetId === l.datasetId));
  writeLoss(db.name, [...earlier, ...found]);
  if (local !== marker.deviceId)
    writeMarker(db.name, { deviceId: await deviceId(db), datasets: {} });
  return readLoss(db.name);
}

/** The user read the warning. */
export function dismissStorageLoss(datasetId: string, db: LoupeDb = getDb()): void {
  writeLoss(
    db.name,
    readLoss(db.name).filter((l) => l.datasetId !== datasetId),
  );
}

/**
 * Gets a lost dataset back from the server's live copy, under its old id: the images this device
 * lacks are downloaded (each checked against its hash), the labels are the server's. A dataset
 * still here (only unsynced edits were lost) is pulled again from revision 0.
 */
export async function restoreFromServer(
  datasetId: string,
  onProgress?: (p: PullProgress) => void,
): Promise<void> {
  const db = getDb();
  if (await db.datasets.get(datasetId)) {
    await db.labelSync.update(datasetId, { cursor: 0 });
    await syncLabels(datasetId);
  } else {
    await joinLiveDataset(datasetId, { onProgress });
  }
  dismissStorageLoss(datasetId, db);
}
