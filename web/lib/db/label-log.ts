// The label-sync log as stored (docs/sync-protocol.md): every label write records a numbered
// mutation in the same transaction; the server's answers acknowledge them, and pulled changes
// are written here without recording anything. How and when it talks to the server lives in
// $lib/sync/label-sync.ts. Every function takes the database, so a test can run several devices.
import type { ClassOp, LabelChanges, LabelPushResult, LiveImage, LiveImageInfo } from '$contract';
import { Dexie } from 'dexie';
import { nextStamp } from './clock';
import type { DatasetRow, ImageLabels, ImageRow, LoupeDb } from './database';
import { labelsOf, rowFields, sameLabels } from './image-labels';
import { noteAcknowledged, noteRecorded } from './label-marker';

interface MutationCommon {
  datasetId: string;
  seq: number;
  /** The class list when it was recorded (a class change: before it); absent in older rows. */
  classes?: string[];
  /** The server's class version that list descended from. */
  classVersion?: number;
  at: number;
}

export interface LabelEditRow extends MutationCommon {
  kind?: 'labels';
  sha256: string;
  /** The server revision the edited labels came from; 0 when the server's were never seen. */
  baseRevision: number;
  labels: ImageLabels;
  image: LiveImageInfo;
  /** Conflicts this edit settles. */
  resolves?: number[];
}

export interface RemovalRow extends MutationCommon {
  kind: 'remove';
  sha256: string;
  baseRevision: number;
  resolves?: number[];
}

export interface ClassChangeRow extends MutationCommon {
  kind: 'class';
  /** Empty: a class change is about no image. */
  sha256: '';
  op: ClassOp;
}

export type LabelMutationRow = LabelEditRow | RemovalRow | ClassChangeRow;

export interface LabelSyncRow {
  datasetId: string;
  nextSeq: number;
  /** The last seq the server acknowledged; 0 before the first. */
  lastAck: number;
  /** The server revision this device pulled up to. */
  cursor: number;
  /** The server's class version this device's class list descends from; absent: 0. */
  classVersion?: number;
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
  const info = { fileName: row.fileName, width: image.width, height: image.height };
  await appendMutation(db, dataset, {
    sha256,
    baseRevision: row.serverRevision ?? 0,
    labels,
    image: info,
    ...(resolves?.length ? { resolves } : {}),
  });
}

type NewMutation =
  | Omit<LabelEditRow, keyof MutationCommon>
  | Omit<RemovalRow, keyof MutationCommon>
  | Omit<ClassChangeRow, keyof MutationCommon>;

/** Numbers and stores a mutation; inside a transaction that holds labelLogTables(db). */
async function appendMutation(db: LoupeDb, dataset: DatasetRow, m: NewMutation): Promise<void> {
  const datasetId = dataset.id;
  const device = await deviceId(db);
  const state = await syncState(db, datasetId);
  const seq = state.nextSeq;
  const common = { datasetId, seq, classes: dataset.classes, at: Date.now() };
  await db.labelLog.add({ ...m, ...common, classVersion: state.classVersion ?? 0 });
  await db.labelSync.put({ ...state, nextSeq: seq + 1 });
  // The marker outside IndexedDB learns of it only once it is really stored.
  Dexie.currentTransaction?.on('complete', () =>
    noteRecorded(db.name, { deviceId: device, datasetId, name: dataset.name, seq }),
  );
}

/**
 * Records a class change, by names, before the list changes. Inside the transaction that
 * changes the list and holds labelLogTables(db). The server relabels its copy itself.
 */
export async function recordClassChange(
  db: LoupeDb,
  dataset: DatasetRow,
  op: ClassOp,
): Promise<void> {
  await appendMutation(db, dataset, { kind: 'class', sha256: '', op });
}

/**
 * Records that an image left the dataset, before its row is deleted; inside a transaction that
 * holds `annotations` and labelLogTables(db). An image the server never got is not sent.
 */
export async function recordRemoval(
  db: LoupeDb,
  datasetId: string,
  sha256: string,
  resolves?: number[],
): Promise<void> {
  const [row, dataset] = await Promise.all([
    db.annotations.get([datasetId, sha256]),
    db.datasets.get(datasetId),
  ]);
  if (!dataset) return;
  const known = row?.serverRevision !== undefined || (await pendingShas(db, datasetId)).has(sha256);
  if (!known && !resolves?.length) return;
  await appendMutation(db, dataset, {
    kind: 'remove',
    sha256,
    baseRevision: row?.serverRevision ?? 0,
    ...(resolves?.length ? { resolves } : {}),
  });
}

/**
 * Records an edit of an image this device no longer holds (a conflict settled by bringing a
 * removed image back); the image comes back with the next pull.
 */
export async function recordRestore(
  db: LoupeDb,
  datasetId: string,
  sha256: string,
  labels: ImageLabels,
  image: LiveImageInfo,
  resolves: number[],
): Promise<void> {
  await db.transaction('rw', labelLogTables(db), async () => {
    const dataset = await db.datasets.get(datasetId);
    if (!dataset) return;
    await appendMutation(db, dataset, { sha256, baseRevision: 0, labels, image, resolves });
  });
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

/** Images with an unsent edit or removal. */
async function pendingShas(db: LoupeDb, datasetId: string): Promise<Set<string>> {
  const rows = await pendingRange(db, datasetId).toArray();
  return new Set(rows.filter((m) => m.kind !== 'class').map((m) => m.sha256));
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c, i) => b[i] === c);

/**
 * Takes an image out of this device's copy of the dataset (the server removed it): its row,
 * its undo steps, its stored suggestions, and its bytes unless another dataset uses them.
 */
async function removeLocally(db: LoupeDb, datasetId: string, sha256: string): Promise<boolean> {
  if (!(await db.annotations.get([datasetId, sha256]))) return false;
  await db.annotations.delete([datasetId, sha256]);
  await db.suggestions.delete([datasetId, sha256]);
  await db.edits
    .where('[datasetId+id]')
    .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
    .filter((e) => e.sha256 === sha256)
    .delete();
  if ((await db.annotations.where('sha256').equals(sha256).count()) === 0) {
    await db.images.delete(sha256);
    await db.thumbnails.delete(sha256);
  }
  return true;
}

/** Removes the image here and records its removal: "keep it removed" for a conflict. */
export async function removeAndRecord(
  db: LoupeDb,
  datasetId: string,
  sha256: string,
  resolves?: number[],
): Promise<void> {
  await removeAllAndRecord(db, datasetId, [sha256], resolves);
}

/**
 * Removes these images here and records one removal for each, in one transaction (a batch of a
 * bulk removal). Returns how many the dataset held.
 */
export async function removeAllAndRecord(
  db: LoupeDb,
  datasetId: string,
  sha256s: readonly string[],
  resolves?: number[],
): Promise<number> {
  return db.transaction('rw', pullTables(db), async () => {
    let removed = 0;
    for (const sha256 of sha256s) {
      await recordRemoval(db, datasetId, sha256, resolves);
      if (await removeLocally(db, datasetId, sha256)) removed += 1;
    }
    if (removed > 0) await db.datasets.update(datasetId, { updatedAt: nextStamp() });
    return removed;
  });
}

/** Tables applyPulled and acknowledge write. */
const pullTables = (db: LoupeDb) => [
  db.datasets,
  db.annotations,
  db.labelLog,
  db.labelSync,
  db.device,
  db.edits,
  db.images,
  db.thumbnails,
  db.suggestions,
];

/**
 * Takes the server's class list, keeping each class's colour by name. Only when this device has
 * nothing pending: its labels and the server's then use the same numbering after the pull.
 */
async function adoptClasses(db: LoupeDb, dataset: DatasetRow, classes: string[]): Promise<void> {
  const colors = dataset.colors
    ? classes.map((c) => dataset.colors?.[dataset.classes.indexOf(c)] ?? null)
    : undefined;
  await db.datasets.update(dataset.id, {
    classes,
    ...(colors ? { colors } : {}),
    updatedAt: nextStamp(),
  });
}

/** Images the server holds that this device lacks and has no pending change of. */
export async function missingImages(
  db: LoupeDb,
  datasetId: string,
  images: readonly LiveImage[],
): Promise<LiveImage[]> {
  const pending = await pendingShas(db, datasetId);
  const missing: LiveImage[] = [];
  for (const image of images) {
    if (pending.has(image.sha256)) continue;
    if (!(await db.annotations.get([datasetId, image.sha256]))) missing.push(image);
  }
  return missing;
}

/** Adds an image the server holds (restored, or added on another device) with its labels. */
export async function addPulledImage(
  db: LoupeDb,
  datasetId: string,
  image: LiveImage,
  bytes?: { blob: Blob; mimeType: ImageRow['mimeType'] },
): Promise<void> {
  await db.transaction('rw', [db.annotations, db.images, db.datasets], async () => {
    const now = nextStamp();
    if (bytes && !(await db.images.get(image.sha256))) {
      const { width, height } = image;
      const size = { width, height, bytes: bytes.blob.size };
      await db.images.add({ sha256: image.sha256, ...bytes, ...size, addedAt: now });
    }
    const { sha256, fileName, labels, revision } = image;
    const row = { datasetId, sha256, fileName, ...rowFields(labels), serverRevision: revision };
    await db.annotations.put({ ...row, addedAt: now, updatedAt: now });
    await db.datasets.update(datasetId, { updatedAt: now });
  });
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
  await db.transaction('rw', pullTables(db), async () => {
    await pendingRange(db, datasetId)
      .filter((m) => m.seq <= answer.lastSeq)
      .delete();
    const state = await syncState(db, datasetId);
    const nextSeq = Math.max(state.nextSeq, answer.lastSeq + 1);
    await db.labelSync.put({ ...state, nextSeq, lastAck: answer.lastSeq });
    const pending = await pendingShas(db, datasetId);
    // The server's labels are in its class numbering: taken only when it is this device's too
    // (otherwise the pull takes the list and the labels together).
    const local = (await db.datasets.get(datasetId))?.classes ?? [];
    const sameClasses = sameList(local, answer.classes);
    const latest = new Map(answer.results.flatMap((r) => (r.sha256 ? [[r.sha256, r]] : [])));
    for (const [sha256, r] of latest) {
      if (pending.has(sha256)) continue;
      if (r.removed) await removeLocally(db, datasetId, sha256);
      else if (sameClasses) await takeServerLabels(db, datasetId, sha256, r.labels, r.revision);
    }
    const device = await storedDeviceId(db);
    Dexie.currentTransaction?.on('complete', () => {
      if (device) noteAcknowledged(db.name, { deviceId: device, datasetId, seq: answer.lastSeq });
    });
  });
}

/**
 * Takes pulled changes; an image with a pending edit or removal keeps it (the next push settles
 * it). A changed class list is taken only with nothing pending (the labels of pending edits
 * are in this device's numbering); until then nothing is taken and the cursor stays. `cursor`
 * lowers the new cursor (images that could not be fetched are pulled again next time).
 */
export async function applyPulled(
  db: LoupeDb,
  datasetId: string,
  changes: LabelChanges,
  cursor = changes.revision,
): Promise<number> {
  return db.transaction('rw', pullTables(db), async () => {
    const dataset = await db.datasets.get(datasetId);
    if (!dataset) return 0;
    const state = await syncState(db, datasetId);
    if (!sameList(dataset.classes, changes.classes)) {
      if ((await pendingCount(db, datasetId)) > 0) return 0;
      await adoptClasses(db, dataset, changes.classes);
    }
    const pending = await pendingShas(db, datasetId);
    let taken = 0;
    for (const image of changes.images) {
      if (pending.has(image.sha256)) continue;
      await takeServerLabels(db, datasetId, image.sha256, image.labels, image.revision);
      taken += 1;
    }
    for (const sha256 of changes.removed ?? []) {
      if (!pending.has(sha256) && (await removeLocally(db, datasetId, sha256))) taken += 1;
    }
    await db.labelSync.put({ ...state, cursor, classVersion: changes.classVersion });
    return taken;
  });
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
