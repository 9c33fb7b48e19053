// A dataset's classes: add, rename, recolour, merge, delete. Labels point at classes by index, so
// merge and delete renumber every label of the dataset in the same transaction as the class
// list; either everything changes or nothing does. They also clear the undo history: its steps
// hold the old numbering and would mislabel if replayed. Every change but a colour is recorded
// in the label-sync log in the same transaction (docs/sync-protocol.md, Classes): the server
// relabels its own copy, so the relabeled images send nothing of their own.
import type { ClassOp } from '$contract';
import { Dexie } from 'dexie';
import { nextStamp } from './clock';
import {
  getDb,
  type AnnotationRow,
  type DatasetRow,
  type ImageLabels,
  type LoupeDb,
} from './database';
import { DatasetError, notFound } from './dataset-errors';
import { labelsOf, rowFields } from './image-labels';
import { labelLogTables, recordClassChange } from './label-log';

/** What happens to the labels of a deleted class. */
export type DeleteClassChoice =
  | { labels: 'delete' }
  /** Keep the shapes and give them this other class (by its index before the delete). */
  | { labels: 'move'; to: number };

const HEX = /^#[0-9a-f]{6}$/i;

function invalid(message: string): DatasetError {
  return new DatasetError('invalid', message);
}

function checkNewName(dataset: DatasetRow, name: string, except?: number): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('Give the class a name.');
  if (trimmed.length > 64) throw invalid('Keep class names to 64 characters.');
  const clash = dataset.classes.findIndex((c, i) => c === trimmed && i !== except);
  if (clash >= 0) throw invalid(`The dataset already has a class named "${trimmed}".`);
  return trimmed;
}

function checkIndex(dataset: DatasetRow, index: number, what = 'That class'): void {
  if (!Number.isInteger(index) || index < 0 || index >= dataset.classes.length) {
    throw invalid(`${what} is not in this dataset (it has ${dataset.classes.length} classes).`);
  }
}

/** Records a class change for label sync; inside changeDataset's transaction. */
const logged = (db: LoupeDb, d: DatasetRow, op: ClassOp) => recordClassChange(db, d, op);

/** Runs `change` on the dataset row inside a transaction over every table labels live in. */
async function changeDataset(
  db: LoupeDb,
  datasetId: string,
  change: (dataset: DatasetRow) => Promise<Partial<DatasetRow>>,
): Promise<DatasetRow> {
  const tables = [db.annotations, db.edits, ...labelLogTables(db)];
  return db.transaction('rw', tables, async () => {
    const dataset = await db.datasets.get(datasetId);
    if (!dataset) throw notFound('This dataset');
    const patch = { ...(await change(dataset)), updatedAt: nextStamp() };
    await db.datasets.update(datasetId, patch);
    return { ...dataset, ...patch };
  });
}

/**
 * Rewrites every label's class through `map` (null drops the label) for the whole dataset, and
 * clears the undo history. Returns how many labels changed or were dropped.
 */
async function relabel(
  db: LoupeDb,
  datasetId: string,
  map: (classIndex: number) => number | null,
  counted: (classIndex: number) => boolean,
) {
  let touched = 0;
  const rows = await db.annotations.where('datasetId').equals(datasetId).toArray();
  const now = nextStamp();
  const changed: AnnotationRow[] = [];
  for (const row of rows) {
    const before = labelsOf(row);
    const after: ImageLabels = {
      boxes: before.boxes.flatMap((b) => {
        const c = map(b.classIndex);
        return c === null ? [] : [{ ...b, classIndex: c }];
      }),
      polygons: before.polygons.flatMap((p) => {
        const c = map(p.classIndex);
        return c === null ? [] : [{ ...p, classIndex: c }];
      }),
      imageClass: before.imageClass === null ? null : map(before.imageClass),
      ...(before.split ? { split: before.split } : {}),
    };
    const count = (l: ImageLabels, f: (c: number) => boolean) =>
      [...l.boxes, ...l.polygons].filter((s) => f(s.classIndex)).length +
      (l.imageClass !== null && f(l.imageClass) ? 1 : 0);
    if (count(before, (c) => map(c) !== c) === 0) continue;
    touched += count(before, counted);
    changed.push({ ...row, ...rowFields(after), updatedAt: now });
  }
  await db.annotations.bulkPut(changed);
  await db.edits
    .where('[datasetId+id]')
    .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
    .delete();
  return touched;
}

/** Every function takes an optional database: label-sync specs run several devices. */
export async function addClass(
  datasetId: string,
  name: string,
  db: LoupeDb = getDb(),
): Promise<DatasetRow> {
  return changeDataset(db, datasetId, async (d) => {
    if (d.classes.length >= 1000) throw invalid('A dataset can have at most 1000 classes.');
    const added = checkNewName(d, name);
    await logged(db, d, { type: 'add', name: added });
    return { classes: [...d.classes, added] };
  });
}

export async function renameClass(
  datasetId: string,
  index: number,
  name: string,
  db: LoupeDb = getDb(),
): Promise<DatasetRow> {
  return changeDataset(db, datasetId, async (d) => {
    checkIndex(d, index);
    const to = checkNewName(d, name, index);
    const from = d.classes[index]!;
    if (to !== from) await logged(db, d, { type: 'rename', from, to });
    return { classes: d.classes.map((c, i) => (i === index ? to : c)) };
  });
}

export async function recolorClass(
  datasetId: string,
  index: number,
  color: string,
  db: LoupeDb = getDb(),
): Promise<DatasetRow> {
  if (!HEX.test(color)) throw invalid(`"${color}" is not a colour like #ff8800.`);
  return changeDataset(db, datasetId, async (d) => {
    checkIndex(d, index);
    const colors = d.classes.map((_, i) => d.colors?.[i] ?? null);
    colors[index] = color.toLowerCase();
    return { colors };
  });
}

/** Drops class `index` from the list; labels above it move down by one. */
function withoutClass(d: DatasetRow, index: number): Partial<DatasetRow> {
  return {
    classes: d.classes.filter((_, i) => i !== index),
    ...(d.colors ? { colors: d.colors.filter((_, i) => i !== index) } : {}),
  };
}

/**
 * Merges class `from` into class `into`: every label of `from` becomes `into`, and `from` leaves
 * the class list. Returns the dataset and how many labels were relabeled.
 */
export async function mergeClasses(
  datasetId: string,
  from: number,
  into: number,
  db: LoupeDb = getDb(),
): Promise<{ dataset: DatasetRow; relabeled: number }> {
  let relabeled = 0;
  const dataset = await changeDataset(db, datasetId, async (d) => {
    checkIndex(d, from, 'The class to merge');
    checkIndex(d, into, 'The class to merge into');
    if (from === into) throw invalid('Pick two different classes to merge.');
    const target = into > from ? into - 1 : into;
    await logged(db, d, { type: 'merge', from: d.classes[from]!, into: d.classes[into]! });
    relabeled = await relabel(
      db,
      datasetId,
      (c) => (c === from ? target : c > from ? c - 1 : c),
      (c) => c === from,
    );
    return withoutClass(d, from);
  });
  return { dataset, relabeled };
}

/**
 * Deletes class `index`. Its labels are deleted, or moved to another class; the classes after
 * it move down by one. A dataset keeps at least one class.
 */
export async function deleteClass(
  datasetId: string,
  index: number,
  choice: DeleteClassChoice,
  db: LoupeDb = getDb(),
): Promise<DatasetRow> {
  return changeDataset(db, datasetId, async (d) => {
    checkIndex(d, index);
    if (d.classes.length === 1)
      throw invalid('A dataset needs at least one class; add another first.');
    if (choice.labels === 'move') {
      checkIndex(d, choice.to, 'The class to move the labels to');
      if (choice.to === index) throw invalid('Move the labels to a different class.');
    }
    const to = choice.labels === 'move' ? (choice.to > index ? choice.to - 1 : choice.to) : null;
    const moveTo = choice.labels === 'move' ? d.classes[choice.to]! : null;
    await logged(db, d, { type: 'delete', name: d.classes[index]!, moveTo });
    await relabel(
      db,
      datasetId,
      (c) => (c === index ? to : c > index ? c - 1 : c),
      (c) => c === index,
    );
    return withoutClass(d, index);
  });
}
