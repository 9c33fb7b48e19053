// A dataset as one whole, in and out: everything an export needs read in one transaction, and an
// imported dataset written in one transaction, so a failed import (a full disk, a bad label) leaves
// nothing behind: no half dataset, no stray images.
import type { Task } from '$contract';
import type { ImportedImage } from '$lib/images/imported-image';
import { nextStamp } from './clock';
import {
  getDb,
  type AnnotationRow,
  type DatasetRow,
  type ImageLabels,
  type ImageRow,
  type ThumbnailRow,
} from './database';
import { DatasetError, isQuotaError, notFound } from './dataset-errors';
import { byAddedAt } from './dataset-images';
import { checkClasses, checkName } from './datasets';
import { checkLabels, emptyLabels, labelsOf, rowFields } from './image-labels';

export interface DatasetContents {
  name: string;
  task: Task;
  classes: string[];
  images: {
    fileName: string;
    sha256: string;
    width: number;
    height: number;
    labels: ImageLabels;
    blob: Blob;
  }[];
}

/** The dataset with every image's bytes and labels, in the order the images were added. */
export async function readDatasetContents(datasetId: string): Promise<DatasetContents> {
  const db = getDb();
  return db.transaction('r', [db.datasets, db.images, db.annotations], async () => {
    const dataset = await db.datasets.get(datasetId);
    if (!dataset) throw notFound('This dataset');
    const rows = await db.annotations.where('datasetId').equals(datasetId).toArray();
    rows.sort(byAddedAt);
    const images = await db.images.bulkGet(rows.map((r) => r.sha256));
    return {
      name: dataset.name,
      task: dataset.task ?? 'detect',
      classes: dataset.classes,
      images: rows.flatMap((row, i) => {
        const image = images[i];
        if (!image) return [];
        const { width, height, blob } = image;
        return [
          {
            fileName: row.fileName,
            sha256: row.sha256,
            width,
            height,
            blob,
            labels: labelsOf(row),
          },
        ];
      }),
    };
  });
}

function importStorageFull(): DatasetError {
  return new DatasetError(
    'storage-full',
    'Storage on this device is full, so nothing was imported. Delete datasets you no longer ' +
      'need (sync them first to keep them on the server), then import again.',
  );
}

export interface ImportedDatasetImage {
  image: ImportedImage;
  labels: ImageLabels;
}

export interface ImportedDataset {
  dataset: DatasetRow;
  /** Images stored. */
  added: number;
  /** What was left out while storing, with the reason (repeats of one image, invalid labels). */
  skipped: string[];
}

/** Keeps the shapes the contract and the class list accept, naming each one left out. */
function validLabels(
  labels: ImageLabels,
  classCount: number,
  fileName: string,
  skipped: string[],
): ImageLabels {
  const keep = <T>(items: T[], what: string, one: (item: T) => ImageLabels): T[] =>
    items.filter((item, i) => {
      try {
        checkLabels(one(item), classCount);
        return true;
      } catch (error) {
        if (!(error instanceof DatasetError)) throw error;
        skipped.push(`${fileName}: ${what} ${i + 1} left out (${error.message})`);
        return false;
      }
    });
  const none = emptyLabels();
  return {
    boxes: keep(labels.boxes, 'box', (b) => ({ ...none, boxes: [b] })),
    polygons: keep(labels.polygons, 'polygon', (p) => ({ ...none, polygons: [p] })),
    imageClass:
      keep(labels.imageClass === null ? [] : [labels.imageClass], 'image class', (c) => ({
        ...none,
        imageClass: c,
      }))[0] ?? null,
    // A pin (a pulled version's) is kept; a file format has none.
    ...(labels.split ? { split: labels.split } : {}),
  };
}

/**
 * Creates a dataset holding these images and labels, all in one transaction: if anything fails
 * (storage full, a name the contract refuses), nothing is stored. The same image twice is stored
 * once, with the first one's labels; invalid labels are left out and named in `skipped`.
 */
export async function createDatasetFromImport(
  name: string,
  classes: readonly string[],
  task: Task,
  images: readonly ImportedDatasetImage[],
  /** Label sync gets a lost dataset back under its old id, so its server copy stays its own. */
  id: string = crypto.randomUUID(),
): Promise<ImportedDataset> {
  if (images.length === 0) {
    throw new DatasetError('invalid', 'The file holds no usable images; nothing was imported.');
  }
  const now = nextStamp();
  const dataset: DatasetRow = {
    id,
    name: checkName(name),
    classes: checkClasses(classes),
    task,
    createdAt: now,
    updatedAt: now,
  };
  const skipped: string[] = [];
  const seen = new Map<string, string>();
  const imageRows: ImageRow[] = [];
  const annotationRows: AnnotationRow[] = [];
  const thumbnailRows: ThumbnailRow[] = [];
  for (const { image, labels } of images) {
    const first = seen.get(image.sha256);
    if (first !== undefined) {
      skipped.push(`${image.fileName}: the same image as ${first}; stored once`);
      continue;
    }
    seen.set(image.sha256, image.fileName);
    const { sha256, blob, mimeType, width, height, bytes } = image;
    const addedAt = nextStamp();
    imageRows.push({ sha256, blob, mimeType, width, height, bytes, addedAt });
    if (image.thumbnail) thumbnailRows.push({ sha256, blob: image.thumbnail });
    const kept = validLabels(labels, dataset.classes.length, image.fileName, skipped);
    annotationRows.push({
      datasetId: dataset.id,
      sha256,
      fileName: image.fileName.slice(-255) || `image-${sha256.slice(0, 12)}`,
      ...rowFields(kept),
      addedAt,
      updatedAt: addedAt,
    });
  }
  const db = getDb();
  try {
    await db.transaction(
      'rw',
      [db.datasets, db.images, db.annotations, db.thumbnails],
      async () => {
        await db.datasets.add(dataset);
        const stored = new Set(
          await db.images
            .where('sha256')
            .anyOf(imageRows.map((r) => r.sha256))
            .primaryKeys(),
        );
        await db.images.bulkAdd(imageRows.filter((r) => !stored.has(r.sha256)));
        await db.thumbnails.bulkPut(thumbnailRows);
        await db.annotations.bulkAdd(annotationRows);
      },
    );
  } catch (error) {
    if (!isQuotaError(error)) throw error;
    throw importStorageFull();
  }
  return { dataset, added: annotationRows.length, skipped };
}

export interface MergedImport {
  /** Images added to the dataset. */
  added: number;
  /** Images the dataset already held (same SHA-256), or repeated in the file: skipped. */
  duplicates: number;
  /** Class names the file used that the dataset lacked, added at the end of its classes. */
  newClasses: string[];
  skipped: string[];
}

/** The index of each of the file's classes in the dataset's list, which gains the missing ones. */
function mergeClasses(datasetClasses: readonly string[], fileClasses: readonly string[]) {
  const classes = [...datasetClasses];
  const newClasses: string[] = [];
  const indexOf = fileClasses.map((name) => {
    const at = classes.indexOf(name);
    if (at >= 0) return at;
    newClasses.push(name);
    return classes.push(name) - 1;
  });
  return { classes, newClasses, indexOf };
}

function remap(labels: ImageLabels, indexOf: readonly number[]): ImageLabels {
  // An index the file's class list lacks stays out of range, so validLabels names and drops it.
  const to = (c: number) => indexOf[c] ?? Number.MAX_SAFE_INTEGER;
  return {
    boxes: labels.boxes.map((b) => ({ ...b, classIndex: to(b.classIndex) })),
    polygons: labels.polygons.map((p) => ({ ...p, classIndex: to(p.classIndex) })),
    imageClass: labels.imageClass === null ? null : to(labels.imageClass),
  };
}

/**
 * Adds an imported file's images and labels to an existing dataset, in one transaction: classes
 * are matched by name (missing ones are added at the end, so no stored label is renumbered), an
 * image the dataset already holds (same SHA-256) is skipped and counted, never relabeled.
 */
export async function addImportToDataset(
  datasetId: string,
  fileClasses: readonly string[],
  images: readonly ImportedDatasetImage[],
): Promise<MergedImport> {
  const db = getDb();
  try {
    return await db.transaction(
      'rw',
      [db.datasets, db.images, db.annotations, db.thumbnails],
      async () => {
        const dataset = await db.datasets.get(datasetId);
        if (!dataset) throw notFound('This dataset');
        const { classes, newClasses, indexOf } = mergeClasses(dataset.classes, fileClasses);
        const held = await db.annotations.bulkGet(images.map((i) => [datasetId, i.image.sha256]));
        const stored = new Set(
          await db.images
            .where('sha256')
            .anyOf(images.map((i) => i.image.sha256))
            .primaryKeys(),
        );
        const result: MergedImport = { added: 0, duplicates: 0, newClasses, skipped: [] };
        const seen = new Set<string>();
        const imageRows: ImageRow[] = [];
        const thumbnailRows: ThumbnailRow[] = [];
        const annotationRows: AnnotationRow[] = [];
        images.forEach(({ image, labels }, i) => {
          if (held[i] || seen.has(image.sha256)) {
            result.duplicates++;
            return;
          }
          seen.add(image.sha256);
          const { sha256, blob, mimeType, width, height, bytes } = image;
          const addedAt = nextStamp();
          if (!stored.has(sha256)) {
            imageRows.push({ sha256, blob, mimeType, width, height, bytes, addedAt });
            if (image.thumbnail) thumbnailRows.push({ sha256, blob: image.thumbnail });
          }
          const kept = validLabels(
            remap(labels, indexOf),
            classes.length,
            image.fileName,
            result.skipped,
          );
          annotationRows.push({
            datasetId,
            sha256,
            fileName: image.fileName.slice(-255) || `image-${sha256.slice(0, 12)}`,
            ...rowFields(kept),
            addedAt,
            updatedAt: addedAt,
          });
        });
        await db.images.bulkAdd(imageRows);
        await db.thumbnails.bulkPut(thumbnailRows);
        await db.annotations.bulkAdd(annotationRows);
        await db.datasets.update(datasetId, {
          classes: checkClasses(classes),
          updatedAt: nextStamp(),
        });
        result.added = annotationRows.length;
        return result;
      },
    );
  } catch (error) {
    if (!isQuotaError(error)) throw error;
    throw importStorageFull();
  }
}
