// The only module that opens IndexedDB. What is stored where, in the database named 'loupe':
//
// - datasets     one row per local dataset: its name, class names and sync state. The classes'
//                order is meaningful: a Box's classIndex points into it.
// - images       one row per distinct image content, keyed by the SHA-256 of its bytes and shared
//                by every dataset that uses it, so a photo imported twice is stored once. The
//                bytes are kept as a Blob (Blobs write 2.5-3x faster than ArrayBuffers).
// - annotations  one row per (dataset, image): the file name the user imported it under and its
//                labels (normalised boxes and polygons, an image-level class, see $contract) and
//                its review state. A dataset's images are exactly its annotation rows.
// - edits        (version 2) the undo history: one row per label change, with the labels before
//                and after, so undo and redo survive a reload. `undone` is 1 for the changes
//                that were undone and can be redone; a new change drops those.
// - thumbnails   (version 3) a small JPEG per image content, keyed like `images`, made by the
//                import worker, so the dataset grid never loads a full photo. Kept apart from
//                `images` so listing a dataset never reads either blob.
// - models       (version 4) model versions this device downloaded from a channel, keyed by the
//                server's version id: the ONNX bytes as a Blob, their SHA-256, the metadata the
//                worker needs and when it was stored. Only bytes whose hash was checked against
//                the server's are written, so a row is always safe to load with no network.
// - delivery     (version 4) one row (key 'device'): the channel this device follows and the
//                version it runs, so the page opens on that model with no network.
// - syncQueue    (version 5) one row per dataset whose sync to the server was asked for and is
//                not done: waiting (offline, or between retries), uploading (bytes so far), or
//                failed (with the reason). The row goes once the server sealed the version.
// - backendChoices (version 6) one row per (model SHA-256, device): which inference backend
//                (WebGPU or WASM) won this device's one-time benchmark of that model, or WASM
//                with the reason WebGPU failed, so later loads skip the benchmark.
// - labelLog     (version 7) label edits not yet acknowledged by the server, numbered per dataset
//                (seq 1, 2, 3…) and written in the same transaction as the labels themselves
//                (docs/sync-protocol.md). Acknowledged rows are deleted.
// - labelSync    (version 7) per dataset: the next seq, the last one the server acknowledged, and
//                the pull cursor (the server's revision this device has caught up to).
// - device       (version 7) one row (key 'device'): this browser's random device id. It lives
//                with the log on purpose: a browser that lost one lost both, so a new id never
//                reuses sequence numbers the server already applied.
// - annotations  (version 8) also indexed by [datasetId+addedAt]: the order a dataset's images
//                are shown in, so the page reads them a page at a time.
// - suggestions  (version 9) one row per (dataset, image) the model pre-labeled: the suggestions
//                not yet accepted or rejected (each with its class name, so a class change cannot
//                point one at another class), and their best and worst confidence, indexed so
//                the browser's confidence filter is a range read, not a scan of every row.
//
// Every past schema version stays listed below, oldest first: Dexie upgrades a browser that
// still holds an old version by replaying the steps it has not seen.
import { Dexie, type EntityTable, type Table } from 'dexie';
import type { Box, ModelMetadata, Polygon, SplitName, Task } from '$contract';
import type { ImageMimeType } from '$lib/images/imported-image';
import type { BackendChoiceRow } from './backend-choices';
import type { DeviceRow, LabelMutationRow, LabelSyncRow } from './label-log';
import type { SyncQueueRow } from './sync-queue';

export const DB_NAME = 'loupe';

export interface DatasetRow {
  /** A random UUID, made on this device. */
  id: string;
  name: string;
  classes: string[];
  /** Rows from schema version 1 are all 'detect'. */
  task: Task;
  /** A colour per class (CSS hex); absent or null entries use the default palette. */
  colors?: (string | null)[];
  /** Milliseconds since the epoch, as every timestamp here. */
  createdAt: number;
  /** Bumped by every change to the dataset, its images or its labels. */
  updatedAt: number;
  /** The server's id (SHA-256 of the sealed manifest) of the last version this dataset became. */
  lastSyncedVersionId?: string;
  lastSyncedAt?: number;
  /** Renamed here while the server holds a live copy under the old name: sent at the next sync. */
  renamePending?: boolean;
}

export interface ImageRow {
  sha256: string;
  blob: Blob;
  mimeType: ImageMimeType;
  /** Displayed size in pixels (EXIF orientation applied). */
  width: number;
  height: number;
  bytes: number;
  addedAt: number;
}

export interface AnnotationRow {
  datasetId: string;
  sha256: string;
  fileName: string;
  boxes: Box[];
  /** Absent on rows written by schema version 1: none. */
  polygons?: Polygon[];
  /** The image-level class (classify), absent when it has none. */
  imageClass?: number;
  /** Set when someone checked this image's labels; absent: to do or labeled (from its labels). */
  reviewedAt?: number;
  /** The split the photo is pinned to (contract/split.ts); absent: chosen by its hash. */
  split?: SplitName;
  /** The server revision these labels were last in step with (label sync); absent: never synced. */
  serverRevision?: number;
  addedAt: number;
  updatedAt: number;
}

/** Everything an image is labeled with: what one undo step restores. */
export interface ImageLabels {
  boxes: Box[];
  polygons: Polygon[];
  imageClass: number | null;
  /** The split pin travels with the labels (undo, label sync, manifest); absent: none. */
  split?: SplitName;
}

export interface EditRow {
  id?: number;
  datasetId: string;
  sha256: string;
  before: ImageLabels;
  after: ImageLabels;
  /** 0: applied (undo reverts it); 1: undone (redo applies it again). A number so it is indexable. */
  undone: 0 | 1;
  at: number;
}

export interface ThumbnailRow {
  sha256: string;
  blob: Blob;
}

export interface ModelRow {
  /** The server's model version id. */
  id: string;
  /** Hex SHA-256 of `blob`, checked against the server's before the row was written. */
  sha256: string;
  bytes: number;
  blob: Blob;
  metadata: ModelMetadata;
  /** When the server registered the version (ISO), for display. */
  createdAt: string;
  /** The version's name when it was stored (rows stored before names: absent). */
  name?: string | null;
  storedAt: number;
}

export interface DeliveryRow {
  key: 'device';
  /** The followed channel ("<line>/<stage>"), or null when this device follows none. */
  channel: string | null;
  /** The stored version the device runs; null before the first one arrived. */
  activeModelId: string | null;
  updatedAt: number;
}

/** A model's suggestion as stored: a box (normalised), its confidence, the class by name too. */
export interface StoredSuggestion extends Box {
  className: string;
  /** 0 to 1. */
  confidence: number;
  /** The model's outline, normalised, when it is a segment model. */
  points?: [number, number][];
}

export interface SuggestionRow {
  datasetId: string;
  sha256: string;
  /** Never empty: an image whose last suggestion was accepted or rejected has no row. */
  suggestions: StoredSuggestion[];
  /** The highest and lowest confidence among them: what the confidence filter reads. */
  best: number;
  worst: number;
}

export type LoupeDb = Dexie & {
  datasets: EntityTable<DatasetRow, 'id'>;
  images: EntityTable<ImageRow, 'sha256'>;
  annotations: Table<AnnotationRow, [string, string]>;
  edits: EntityTable<EditRow, 'id'>;
  thumbnails: EntityTable<ThumbnailRow, 'sha256'>;
  models: EntityTable<ModelRow, 'id'>;
  delivery: EntityTable<DeliveryRow, 'key'>;
  syncQueue: EntityTable<SyncQueueRow, 'datasetId'>;
  backendChoices: Table<BackendChoiceRow, [string, string]>;
  labelLog: Table<LabelMutationRow, [string, number]>;
  labelSync: EntityTable<LabelSyncRow, 'datasetId'>;
  device: EntityTable<DeviceRow, 'key'>;
  suggestions: Table<SuggestionRow, [string, string]>;
};

function createDb(name = DB_NAME): LoupeDb {
  // The IndexedDB factory is read now rather than when Dexie was first imported, so a test that
  // installs fake-indexeddb (or replaces it between tests) is honoured.
  const db = new Dexie(name, {
    indexedDB: globalThis.indexedDB,
    IDBKeyRange: globalThis.IDBKeyRange,
  }) as LoupeDb;
  db.version(1).stores({
    datasets: 'id, updatedAt',
    images: 'sha256',
    // sha256 finds every dataset that uses an image, to know when its bytes can be deleted.
    annotations: '[datasetId+sha256], datasetId, sha256',
  });
  // Version 2: the undo history. Existing rows need no rewrite: absent polygons, image class and
  // review state read as none, and a dataset without a task reads as 'detect'.
  db.version(2).stores({
    edits: '++id, [datasetId+undone+id], [datasetId+id]',
  });
  // Version 3: grid thumbnails. Images stored before it have none; the grid shows their name.
  db.version(3).stores({ thumbnails: 'sha256' });
  // Version 4: model versions delivered through a channel, and which one this device runs.
  db.version(4).stores({ models: 'id, storedAt', delivery: 'key' });
  // Version 5: the offline sync queue. Nothing to migrate: no sync was queued before it.
  db.version(5).stores({ syncQueue: 'datasetId, requestedAt' });
  // Version 6: remembered inference backends. Nothing to migrate: every model is benchmarked
  // once on its next load.
  db.version(6).stores({ backendChoices: '[sha256+device]' });
  // Version 7: label sync. Nothing to migrate: images with no serverRevision are sent at the
  // next sync with their current labels.
  db.version(7).stores({
    labelLog: '[datasetId+seq], [datasetId+sha256]',
    labelSync: 'datasetId',
    device: 'key',
  });
  // Version 8: a dataset's images in the order they were added, read a page at a time, so a
  // dataset of 10,000 images opens without reading every row in one go. IndexedDB builds the
  // index over existing rows during the upgrade.
  db.version(8).stores({
    annotations: '[datasetId+sha256], datasetId, sha256, [datasetId+addedAt]',
  });
  // Version 9: stored model suggestions. Nothing to migrate: they were kept in memory before.
  db.version(9).stores({
    suggestions: '[datasetId+sha256], [datasetId+best], [datasetId+worst]',
  });
  return db;
}

let instance: LoupeDb | undefined;

/** A separate database under another name: tests that simulate several devices in one process. */
export const openNamedDb = (name: string): LoupeDb => createDb(name);

/** The database, created on first use; Dexie opens the connection on the first query. */
export function getDb(): LoupeDb {
  instance ??= createDb();
  return instance;
}

/** Closes and deletes the whole database: for tests, and a future "erase this device" button. */
export async function deleteDb(): Promise<void> {
  const db = instance ?? createDb();
  instance = undefined;
  db.close();
  await db.delete();
}
