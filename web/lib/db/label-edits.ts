// Every change to an image's labels goes through here: it is checked, stored (autosave: there is
// no save button) and recorded in the dataset's undo history in the same transaction, so the
// history and the labels can never disagree, and undo/redo survive a reload.
import { Dexie } from 'dexie';
import { nextStamp } from './clock';
import { getDb, type EditRow, type ImageLabels } from './database';
import { DatasetError, isQuotaError, notFound } from './dataset-errors';
import { checkLabels, labelsOf, rowFields, sameLabels } from './image-labels';
import { labelLogTables, recordMutation } from './label-log';

/** Older steps are forgotten beyond this many per dataset. */
export const HISTORY_LIMIT = 500;

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
}

/** What an undo or redo changed: the page shows that image. */
export interface HistoryStep {
  sha256: string;
  labels: ImageLabels;
}

function storageFull(): DatasetError {
  return new DatasetError(
    'storage-full',
    'Storage on this device is full, so this change was not saved (the previous labels are ' +
      'kept). Delete datasets you no longer need, then make the change again.',
  );
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isQuotaError(error)) throw storageFull();
    throw error;
  }
}

function applied(datasetId: string) {
  return getDb()
    .edits.where('[datasetId+undone+id]')
    .between([datasetId, 0, Dexie.minKey], [datasetId, 0, Dexie.maxKey]);
}

function undone(datasetId: string) {
  return getDb()
    .edits.where('[datasetId+undone+id]')
    .between([datasetId, 1, Dexie.minKey], [datasetId, 1, Dexie.maxKey]);
}

/**
 * Writes labels to the row, bumps the dataset and records the change for label sync; inside a
 * transaction on annotations and labelLogTables.
 */
async function writeLabels(datasetId: string, sha256: string, labels: ImageLabels): Promise<void> {
  const db = getDb();
  const now = nextStamp();
  const updated = await db.annotations.update([datasetId, sha256], {
    ...rowFields(labels),
    updatedAt: now,
  });
  if (updated === 0) throw notFound('This image');
  await db.datasets.update(datasetId, { updatedAt: now });
  await recordMutation(db, datasetId, sha256, labels);
}

/**
 * Replaces an image's labels, stores the change as one undo step, and drops the redo steps.
 * Stores nothing if any label is invalid. Returns the labels as stored.
 */
export async function setLabels(
  datasetId: string,
  sha256: string,
  labels: ImageLabels,
): Promise<ImageLabels> {
  const db = getDb();
  return guard(() =>
    db.transaction('rw', [db.annotations, db.edits, ...labelLogTables(db)], async () => {
      const dataset = await db.datasets.get(datasetId);
      if (!dataset) throw notFound('This dataset');
      const row = await db.annotations.get([datasetId, sha256]);
      if (!row) throw notFound('This image');
      const after = checkLabels(labels, dataset.classes.length);
      const before = labelsOf(row);
      if (sameLabels(before, after)) return after;
      await writeLabels(datasetId, sha256, after);
      await undone(datasetId).delete();
      await db.edits.add({ datasetId, sha256, before, after, undone: 0, at: nextStamp() });
      const count = await applied(datasetId).count();
      if (count > HISTORY_LIMIT) {
        const oldest = await applied(datasetId)
          .limit(count - HISTORY_LIMIT)
          .primaryKeys();
        await db.edits.bulkDelete(oldest);
      }
      return after;
    }),
  );
}

/** Steps onto `edit`: its labels become current if its image is still in the dataset. */
async function step(
  edit: EditRow | undefined,
  labels: (e: EditRow) => ImageLabels,
  undoneAfter: 0 | 1,
): Promise<HistoryStep | null> {
  if (!edit?.id) return null;
  const db = getDb();
  const row = await db.annotations.get([edit.datasetId, edit.sha256]);
  if (!row) {
    // The image left the dataset; its steps mean nothing now.
    await db.edits.delete(edit.id);
    return null;
  }
  await writeLabels(edit.datasetId, edit.sha256, labels(edit));
  await db.edits.update(edit.id, { undone: undoneAfter });
  return { sha256: edit.sha256, labels: labels(edit) };
}

/** Reverts the latest change in the dataset; null when there is nothing to undo. */
export async function undo(datasetId: string): Promise<HistoryStep | null> {
  const db = getDb();
  return guard(() =>
    db.transaction('rw', [db.annotations, db.edits, ...labelLogTables(db)], async () => {
      for (;;) {
        const edit = await applied(datasetId).last();
        if (!edit) return null;
        const done = await step(edit, (e) => e.before, 1);
        if (done) return done;
      }
    }),
  );
}

/** Applies again the change undone last; null when there is nothing to redo. */
export async function redo(datasetId: string): Promise<HistoryStep | null> {
  const db = getDb();
  return guard(() =>
    db.transaction('rw', [db.annotations, db.edits, ...labelLogTables(db)], async () => {
      for (;;) {
        const edit = await undone(datasetId).first();
        if (!edit) return null;
        const done = await step(edit, (e) => e.after, 0);
        if (done) return done;
      }
    }),
  );
}

export async function historyState(datasetId: string): Promise<HistoryState> {
  const db = getDb();
  return db.transaction('r', [db.edits], async () => ({
    canUndo: (await applied(datasetId).count()) > 0,
    canRedo: (await undone(datasetId).count()) > 0,
  }));
}

/** Forgets a dataset's history (class changes renumber labels, so old steps would mislabel). */
export async function clearHistory(datasetId: string): Promise<void> {
  const db = getDb();
  await db.edits
    .where('[datasetId+id]')
    .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
    .delete();
}
