// The label-sync log as stored (docs/sync-protocol.md): every label write records a numbered
// mutation in the same transaction; the server's answers acknowledge them, and pulled changes
// are written here without recording anything. How and when it talks to the server lives in
// $lib/sync/label-sync.ts. Every function takes the database, so a test can run several devices.
import type { LabelChanges, LabelPushResult, LiveImageInfo } from '$contract';
import { Dexie } from 'dexie';
import { nextStamp } from './clock';
import type { ImageLabels, LoupeDb } from './database';
import { labelsOf, rowFields, sameLabels } from './image-labels';
import { noteAcknowledged, noteRecorded } from './label-marker';

export interface LabelMutationRow {
  datasetId: string;
  seq: number;
  sha256: string;
  /** The server revision the edited labels came from; 0 when the server's were never seen. */
  baseRevision: number;
  labels: ImageLabels;
  image: LiveImageInfo;
  /** Conflicts this edit settles. */
  resolves?: number[];
  at: number;
}

export interface LabelSyncRow {
  datasetId: string;
  nextSeq: number;
  /** The last seq the server acknowledged; 0 before the first. */
  lastAck: number;
  /** The server revision this device pulled up to. */
  cursor: number;
}

export interface DeviceRow {
  key: 'device';
  id: string;
}

/** The tables a transaction that writes labels must also hold to record the mutation. */
export const labelLogTables = (db: LoupeDb) => [
  db.datasets,
  db.labelLog,
  db.labelSync,
  db.images,
  db.device,
];

const freshState = (datasetId: string): LabelSyncRow => ({
  datasetId,
  nextSeq: 1,
  lastAck: 0,
  cursor: 0,
});

export async function syncState(db: LoupeDb, datasetId: string): Promise<LabelSyncRow> {
  return (await db.labelSync.get(datasetId)) ?? freshState(datasetId);
}

/** This browser's device id, made on first use. */
export async function deviceId(db: LoupeDb): Promise<string> {
  return db.transaction('rw', db.device, async () => {
    const row = await db.device.get('device');
    if (row) return row.id;
    const id = crypto.randomUUID();
    await db.device.add({ key: 'device', id });
    return id;
  });
}

/** The stored device id, or undefined when this database never made one. */
export async function storedDeviceId(db: LoupeDb): Promise<string | undefined> {
  return (await db.device.get('device'))?.id;
}

/**
 * Records that an image's labels became `labels`. Must run inside a transaction that holds
 * `annotations` and labelLogTables(db), the one that writes the labels.
 */
export async function recordMutation(
  db: LoupeDb,
  datasetId: string,
  sha256: string,
  labels: ImageLabels,
  resolves?: number[],
): Promise<void> {
  const [row, image, dataset] = await Promise.all([
    db.annotations.get([datasetId, sha256]),
    db.images.get(sha256),
    db.datasets.get(datasetId),
  ]);
  if (!row || !image || !dataset) return;
  const device = await deviceId(db);
  const state = await syncState(db, datasetId);
  const seq = state.nextSeq;
  await db.labelLog.add({
    datasetId,
    seq,
    sha256,
    baseRevision: row.serverRevision ?? 0,
    labels,
    image: { fileName: row.fileName, width: image.width, height: image.height },
    ...(resolves?.length ? { resolves } : {}),
    at: Date.now(),
  });
  await db.labelSync.put({ ...state, nextSeq: seq + 1 });
  // The marker outside IndexedDB learns of it only once it is really stored.
  Dexie.currentTransaction?.on('complete', () =>
    noteRecorded(db.name, { deviceId: device, datasetId, name: dataset.name, seq }),
  );
}

/**
 * Sends images the server has never seen (never synced, or added since) with their current
 * labels, so the server's live dataset holds every image. Returns how many were recorded.
 */
export async function recordUnsynced(db: LoupeDb, datasetId: string): Promise<number> {
  return db.transaction('rw', [db.annotations, ...labelLogTables(db)], async () => {
    const rows = await db.annotations.where('datasetId').equals(datasetId).toArray();
    const pending = await pendingShas(db, datasetId);
    const unsynced = rows.filter((r) => r.serverRevision === undefined && !pending.has(r.sha256));
    for (const row of unsynced) await recordMutation(db, datasetId, row.sha256, labelsOf(row));
    return unsynced.length;
  });
}

/** Writes an image's labels with their own mutation: a conflict's settlement. */
export async function writeAndRecord(
  db: LoupeDb,
  datasetId: string,
  sha256: string,
  labels: ImageLabels,
  resolves?: number[],
): Promise<void> {
  await db.transaction('rw', [db.annotations, ...labelLogTables(db)], async () => {
    const now = nextStamp();
    await db.annotations.update([datasetId, sha256], { ...rowFields(labels), updatedAt: now });
    await db.datasets.update(datasetId, { updatedAt: now });
    await recordMutation(db, datasetId, sha256, labels, resolves);
  });
}

const pendingRange = (db: LoupeDb, datasetId: string) =>
  db.labelLog
    .where('[datasetId+seq]')
    .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey]);

async function pendingShas(db: LoupeDb, datasetId: string): Promise<Set<string>> {
  return new Set((await pendingRange(db, datasetId).toArray()).map((m) => m.sha256));
}

/** The oldest unacknowledged mutations, in seq order. */
export async function pendingMutations(
  db: LoupeDb,
  datasetId: string,
  limit = Infinity,
): Promise<LabelMutationRow[]> {
  return pendingRange(db, datasetId).limit(limit).toArray();
}

export async function pendingCount(db: LoupeDb, datasetId: string): Promise<number> {
  return pendingRange(db, datasetId).count();
}

/** Writes the server's labels for an image, without recording a mutation. */
async function takeServerLabels(
  db: LoupeDb,
  datasetId: string,
  sha256: string,
  labels: ImageLabels,
  revision: number,
): Promise<void> {
  const row = await db.annotations.get([datasetId, sha256]);
  if (!row) return;
  if (sameLabels(labelsOf(row), labels)) {
    await db.annotations.update([datasetId, sha256], { serverRevision: revision });
    return;
  }
  const now = nextStamp();
  const change = { ...rowFields(labels), serverRevision: revision, updatedAt: now };
  await db.annotations.update([datasetId, sha256], change);
  await db.datasets.update(datasetId, { updatedAt: now });
}

/**
 * Takes the server's answer to a push: acknowledged mutations leave the log, and every image
 * with no newer pending edit shows what the server holds (the losing side of a conflict too:
 * its edit is kept on the server as the conflict).
 */
export async function acknowledge(
  db: LoupeDb,
  datasetId: string,
  answer: LabelPushResult,
): Promise<void> {
  const tables = [db.datasets, db.annotations, db.labelLog, db.labelSync, db.device];
  await db.transaction('rw', tables, async () => {
    await pendingRange(db, datasetId)
      .filter((m) => m.seq <= answer.lastSeq)
      .delete();
    const state = await syncState(db, datasetId);
    const nextSeq = Math.max(state.nextSeq, answer.lastSeq + 1);
    await db.labelSync.put({ ...state, nextSeq, lastAck: answer.lastSeq });
    const pending = await pendingShas(db, datasetId);
    const latest = new Map(answer.results.map((r) => [r.sha256, r]));
    for (const [sha256, r] of latest) {
      if (!pending.has(sha256)) await takeServerLabels(db, datasetId, sha256, r.labels, r.revision);
    }
    const device = await storedDeviceId(db);
    Dexie.currentTransaction?.on('complete', () => {
      if (device) noteAcknowledged(db.name, { deviceId: device, datasetId, seq: answer.lastSeq });
    });
  });
}

/** Takes pulled changes; an image with a pending edit keeps it (the next push settles it). */
export async function applyPulled(
  db: LoupeDb,
  datasetId: string,
  changes: LabelChanges,
): Promise<number> {
  return db.transaction(
    'rw',
    [db.datasets, db.annotations, db.labelLog, db.labelSync],
    async () => {
      const pending = await pendingShas(db, datasetId);
      let taken = 0;
      for (const image of changes.images) {
        if (pending.has(image.sha256)) continue;
        await takeServerLabels(db, datasetId, image.sha256, image.labels, image.revision);
        taken += 1;
      }
      const dataset = await db.datasets.get(datasetId);
      const local = dataset?.classes ?? [];
      // Classes another device added arrive here; renamed lists are refused by push instead.
      if (
        changes.classes.length > local.length &&
        local.every((c, i) => changes.classes[i] === c)
      ) {
        await db.datasets.update(datasetId, { classes: changes.classes, updatedAt: nextStamp() });
      }
      const state = await syncState(db, datasetId);
      await db.labelSync.put({ ...state, cursor: changes.revision });
      return taken;
    },
  );
}

/**
 * The server applied fewer of this device's mutations than the device believes (a restored
 * server): pending mutations are numbered on from its lastSeq and everything is pulled again.
 */
export async function renumberAfterGap(
  db: LoupeDb,
  datasetId: string,
  lastSeq: number,
): Promise<void> {
  await db.transaction('rw', [db.labelLog, db.labelSync], async () => {
    const rows = await pendingRange(db, datasetId).toArray();
    await pendingRange(db, datasetId).delete();
    await db.labelLog.bulkAdd(rows.map((m, i) => ({ ...m, seq: lastSeq + 1 + i })));
    const state = await syncState(db, datasetId);
    await db.labelSync.put({
      ...state,
      nextSeq: lastSeq + 1 + rows.length,
      lastAck: lastSeq,
      cursor: 0,
    });
  });
}
