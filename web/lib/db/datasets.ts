// Datasets on this device: creating them, and what the server needs to seal a version of one.
// Images and labels within a dataset live in dataset-images.ts; its page-facing functions are
// re-exported here so a page imports one module. Every write is validated against the shared
// contract first, so what is stored can always be sent.
import { ClassNames, DatasetManifest, Sha256, type Task } from '$contract';
import { Dexie } from 'dexie';
import { nextStamp } from './clock';
import { getDb, type DatasetRow } from './database';
import { DatasetError, isQuotaError, notFound } from './dataset-errors';
import { byAddedAt, dropUnusedImages } from './dataset-images';

export {
  addImagesToDataset,
  getImageBlob,
  getThumbnail,
  listDatasetImages,
  removeImageFromDataset,
  setBoxes,
  setReviewed,
  type AddImagesResult,
  type DatasetImage,
} from './dataset-images';
export { DatasetError, type DatasetErrorCode } from './dataset-errors';
export type { DatasetRow, ImageLabels } from './database';
export {
  clearHistory,
  historyState,
  redo,
  setLabels,
  undo,
  type HistoryState,
  type HistoryStep,
} from './label-edits';
export { emptyLabels, hasLabels, labelsOf, rowFields } from './image-labels';

/** The contract's DatasetManifest allows names up to this length. */
const MAX_NAME_LENGTH = 120;

export interface DatasetSummary extends DatasetRow {
  imageCount: number;
}

function invalid(message: string): DatasetError {
  return new DatasetError('invalid', message);
}

export function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('Give the dataset a name.');
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw invalid(`The name is ${trimmed.length} characters long; keep it to ${MAX_NAME_LENGTH}.`);
  }
  return trimmed;
}

/** Validates with the contract's ClassNames, then words the first problem for a person. */
export function checkClasses(classes: readonly string[]): string[] {
  const parsed = ClassNames.safeParse(classes);
  if (parsed.success) return parsed.data;
  const trimmed = classes.map((c) => c.trim());
  if (trimmed.length === 0) throw invalid('Add at least one class.');
  const blank = trimmed.findIndex((c) => c === '');
  if (blank >= 0) throw invalid(`Class ${blank + 1} has no name; name it or remove it.`);
  const long = trimmed.find((c) => c.length > 64);
  if (long)
    throw invalid(`The class name "${long.slice(0, 20)}…" is too long; keep it to 64 characters.`);
  const duplicates = [...new Set(trimmed.filter((c, i) => trimmed.indexOf(c) !== i))];
  if (duplicates.length > 0) {
    const list = duplicates.map((c) => `"${c}"`).join(', ');
    throw invalid(`Class names must be unique: ${list} appears more than once.`);
  }
  throw invalid(parsed.error.issues[0]?.message ?? 'The class list is not valid.');
}

export async function createDataset(
  name: string,
  classes: readonly string[],
  task: Task = 'detect',
): Promise<DatasetRow> {
  const now = nextStamp();
  const dataset: DatasetRow = {
    id: crypto.randomUUID(),
    name: checkName(name),
    classes: checkClasses(classes),
    task,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await getDb().datasets.add(dataset);
  } catch (error) {
    if (!isQuotaError(error)) throw error;
    throw new DatasetError(
      'storage-full',
      'Storage on this device is full, so the dataset was not created. ' +
        'Delete datasets you no longer need and try again.',
    );
  }
  return dataset;
}

/** Most recently changed first, with how many images each holds. */
export async function listDatasets(): Promise<DatasetSummary[]> {
  const db = getDb();
  return db.transaction('r', [db.datasets, db.annotations], async () => {
    const datasets = await db.datasets.orderBy('updatedAt').reverse().toArray();
    return Promise.all(
      datasets.map(async (d) => ({
        ...d,
        imageCount: await db.annotations.where('datasetId').equals(d.id).count(),
      })),
    );
  });
}

export async function getDataset(id: string): Promise<DatasetRow | undefined> {
  return getDb().datasets.get(id);
}

/** True when the dataset changed since it was last sealed on the server (or never was). */
export function hasUnsyncedChanges(dataset: DatasetRow): boolean {
  return dataset.lastSyncedAt === undefined || dataset.updatedAt > dataset.lastSyncedAt;
}

/**
 * Renames the dataset on this device. A dataset the server holds a live copy of is marked, so
 * the next sync renames that copy too (see sync/dataset-rename.ts); sealed versions keep theirs.
 */
export async function renameDataset(id: string, name: string): Promise<DatasetRow> {
  const db = getDb();
  const checked = checkName(name);
  return db.transaction('rw', [db.datasets, db.labelSync], async () => {
    const row = await db.datasets.get(id);
    if (!row) throw new DatasetError('not-found', 'This dataset is no longer on this device.');
    if (row.name === checked) return row;
    const sync = await db.labelSync.get(id);
    const onServer = !!sync && (sync.lastAck > 0 || sync.cursor > 0);
    const next = { ...row, name: checked, renamePending: onServer || row.renamePending };
    await db.datasets.put(next);
    return next;
  });
}

/**
 * Deletes the dataset from this device: its labels, suggestions, undo history, label-sync log and
 * queued sync, and the image bytes no other dataset uses. The server's copies are not touched.
 */
export async function deleteDataset(id: string): Promise<void> {
  const db = getDb();
  await db.transaction(
    'rw',
    [
      db.datasets,
      db.images,
      db.annotations,
      db.edits,
      db.thumbnails,
      db.suggestions,
      db.labelLog,
      db.labelSync,
      db.syncQueue,
    ],
    async () => {
      await db.labelLog
        .where('[datasetId+seq]')
        .between([id, Dexie.minKey], [id, Dexie.maxKey])
        .delete();
      await db.labelSync.delete(id);
      await db.syncQueue.delete(id);
      await db.edits
        .where('[datasetId+id]')
        .between([id, Dexie.minKey], [id, Dexie.maxKey])
        .delete();
      await db.suggestions
        .where('[datasetId+sha256]')
        .between([id, Dexie.minKey], [id, Dexie.maxKey])
        .delete();
      const rows = db.annotations.where('datasetId').equals(id);
      const shas = (await rows.toArray()).map((r) => r.sha256);
      await rows.delete();
      await db.datasets.delete(id);
      await dropUnusedImages(shas);
    },
  );
}

/**
 * The manifest to POST to seal a version: the images by hash with their labels, in the order
 * they were added. Validated with the contract's DatasetManifest, so the server will accept it.
 */
export async function buildManifest(datasetId: string): Promise<DatasetManifest> {
  const db = getDb();
  const manifest = await db.transaction('r', [db.datasets, db.images, db.annotations], async () => {
    const dataset = await db.datasets.get(datasetId);
    if (!dataset) throw notFound('This dataset');
    const rows = await db.annotations.where('datasetId').equals(datasetId).toArray();
    rows.sort(byAddedAt);
    const images = await db.images.bulkGet(rows.map((r) => r.sha256));
    // Fields added after version 1 of the manifest are sent only when they hold something, so a
    // detect dataset seals to the same version id as before they existed.
    return {
      name: dataset.name,
      classes: dataset.classes,
      ...(dataset.task !== 'detect' ? { task: dataset.task } : {}),
      images: rows.map((row, i) => ({
        sha256: row.sha256,
        fileName: row.fileName,
        width: images[i]?.width ?? 0,
        height: images[i]?.height ?? 0,
        boxes: row.boxes,
        ...(row.polygons?.length ? { polygons: row.polygons } : {}),
        ...(row.imageClass !== undefined ? { imageClass: row.imageClass } : {}),
        ...(row.split ? { split: row.split } : {}),
      })),
    };
  });
  const parsed = DatasetManifest.safeParse(manifest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
    throw invalid(`This dataset cannot be sent yet: ${issue?.message ?? 'invalid'}${where}.`);
  }
  return parsed.data;
}

/** Records that the server sealed this dataset as `versionId` (the id it answered with). */
export async function markSynced(datasetId: string, versionId: string): Promise<void> {
  if (!Sha256.safeParse(versionId).success) {
    throw invalid(`"${versionId}" is not a dataset version id (a lower-case hex SHA-256).`);
  }
  const updated = await getDb().datasets.update(datasetId, {
    lastSyncedVersionId: versionId,
    lastSyncedAt: nextStamp(),
  });
  if (updated === 0) throw notFound('This dataset');
}
