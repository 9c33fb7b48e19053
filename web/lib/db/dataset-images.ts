// A dataset's images and their labels. Image bytes live once per content hash in `images`; a
// dataset holds an image through its row in `annotations`, which also carries the labels.
import { ManifestImage, type Box } from '$contract';
import type { ImportedImage } from '$lib/images/imported-image';
import { nextStamp } from './clock';
import {
  getDb,
  type AnnotationRow,
  type ImageLabels,
  type ImageRow,
  type ThumbnailRow,
} from './database';
import { DatasetError, isQuotaError, notFound } from './dataset-errors';
import { labelsOf } from './image-labels';
import { setLabels } from './label-edits';
import { removeAllAndRecord, removeAndRecord, writeAndRecord } from './label-log';
import { plural } from '$lib/text/wording';

/** Blob writes batched ~50 per transaction ran 2-4x faster than one per transaction (FACTS.md). */
const BATCH_SIZE = 50;
const MAX_FILE_NAME = 255;

export interface AddImagesResult {
  /** Images newly added to this dataset. */
  added: number;
  /** Images skipped because the dataset already had the same content (same SHA-256). */
  duplicates: number;
}

/** An image as a dataset shows it: its labels joined with the stored image's size. */
export interface DatasetImage extends AnnotationRow {
  width: number;
  height: number;
  mimeType: ImageRow['mimeType'];
  bytes: number;
}

function storedFileName(image: Pick<ImportedImage, 'fileName' | 'sha256'>): string {
  const name = image.fileName.trim().slice(-MAX_FILE_NAME); // the end keeps the extension
  return name || `image-${image.sha256.slice(0, 12)}`;
}

/** Refuses the whole import before writing anything if one image would break the manifest. */
function checkImported(imported: readonly ImportedImage[]): void {
  for (const image of imported) {
    const fileName = storedFileName(image);
    const { width, height, sha256 } = image;
    const parsed = ManifestImage.safeParse({ sha256, fileName, width, height, boxes: [] });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetError(
        'invalid',
        `"${fileName}" cannot be added: ${issue?.path.join('.')} ${issue?.message}. ` +
          'Nothing was imported; import the files again through the image importer.',
      );
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function requireDataset(datasetId: string) {
  const dataset = await getDb().datasets.get(datasetId);
  if (!dataset) throw notFound('This dataset');
  return dataset;
}

/** Drops repeats of the same content within one import, keeping the first file's name. */
function firstOfEachContent(imported: readonly ImportedImage[]): ImportedImage[] {
  const seen = new Set<string>();
  return imported.filter((image) => !seen.has(image.sha256) && seen.add(image.sha256));
}

/** The order a dataset's images are shown and sent in: the order they were added. */
export function byAddedAt(a: AnnotationRow, b: AnnotationRow): number {
  return a.addedAt - b.addedAt || a.sha256.localeCompare(b.sha256);
}

/**
 * Writes one batch in one transaction: the image rows the device lacks and the dataset's rows
 * for the images it lacks. Returns how many images were new to the dataset.
 */
async function writeBatch(datasetId: string, batch: readonly ImportedImage[]): Promise<number> {
  const db = getDb();
  return db.transaction('rw', [db.datasets, db.images, db.annotations, db.thumbnails], async () => {
    const existing = await db.annotations.bulkGet(batch.map((i) => [datasetId, i.sha256]));
    const fresh = batch.filter((_, i) => !existing[i]);
    const freshShas = fresh.map((i) => i.sha256);
    const stored = new Set(await db.images.where('sha256').anyOf(freshShas).primaryKeys());
    const imageRows: ImageRow[] = [];
    const annotationRows: AnnotationRow[] = [];
    const thumbnailRows: ThumbnailRow[] = [];
    for (const { sha256, blob, mimeType, width, height, bytes, thumbnail, ...rest } of fresh) {
      const addedAt = nextStamp();
      if (!stored.has(sha256)) {
        imageRows.push({ sha256, blob, mimeType, width, height, bytes, addedAt });
        if (thumbnail) thumbnailRows.push({ sha256, blob: thumbnail });
      }
      const fileName = storedFileName({ ...rest, sha256 });
      annotationRows.push({ datasetId, sha256, fileName, boxes: [], addedAt, updatedAt: addedAt });
    }
    await db.images.bulkAdd(imageRows);
    await db.thumbnails.bulkPut(thumbnailRows);
    await db.annotations.bulkAdd(annotationRows);
    if (fresh.length > 0) await db.datasets.update(datasetId, { updatedAt: nextStamp() });
    return fresh.length;
  });
}

/**
 * Adds imported images to a dataset. An image the dataset already has is counted as a duplicate;
 * an image another dataset already stored is linked, not stored again. Each batch of images is
 * written in one transaction with its annotation rows, so a failure never leaves an image
 * without its row or the reverse; earlier batches stay saved.
 */
export async function addImagesToDataset(
  datasetId: string,
  imported: readonly ImportedImage[],
): Promise<AddImagesResult> {
  checkImported(imported);
  await requireDataset(datasetId);
  const unique = firstOfEachContent(imported);
  const result: AddImagesResult = { added: 0, duplicates: imported.length - unique.length };
  let written = 0;
  for (const batch of chunks(unique, BATCH_SIZE)) {
    try {
      // Counted only after the commit: quota errors often surface when the transaction commits.
      const added = await writeBatch(datasetId, batch);
      result.added += added;
      result.duplicates += batch.length - added;
      written += batch.length;
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      const notSaved = unique.length - written;
      throw new DatasetError(
        'storage-full',
        `Storage on this device is full: ${plural(result.added, 'new image was', 'new images were')} saved to the dataset, ` +
          `${notSaved} were not. Delete datasets you no longer need (sync them first to keep ` +
          `them on the server), then import the remaining images again.`,
        { ...result, notSaved },
      );
    }
  }
  return result;
}

/** The dataset's images in the order they were added, each with its size and labels. */
export async function listDatasetImages(datasetId: string): Promise<DatasetImage[]> {
  const db = getDb();
  return db.transaction('r', [db.images, db.annotations], async () => {
    const rows = await db.annotations.where('datasetId').equals(datasetId).toArray();
    rows.sort(byAddedAt);
    const images = await db.images.bulkGet(rows.map((r) => r.sha256));
    return rows.flatMap((row, i) => {
      const image = images[i];
      if (!image) return []; // cannot happen while writes go through this module
      const { width, height, mimeType, bytes } = image;
      return [{ ...row, width, height, mimeType, bytes }];
    });
  });
}

export async function getImageBlob(sha256: string): Promise<Blob | undefined> {
  return (await getDb().images.get(sha256))?.blob;
}

/** The grid thumbnail of an image; undefined for images stored before thumbnails existed. */
export async function getThumbnail(sha256: string): Promise<Blob | undefined> {
  return (await getDb().thumbnails.get(sha256))?.blob;
}

/**
 * Replaces an image's boxes in this dataset, keeping its other labels; one undo step. Stores
 * nothing if any box is invalid.
 */
export async function setBoxes(
  datasetId: string,
  sha256: string,
  boxes: readonly Box[],
): Promise<void> {
  const row = await getDb().annotations.get([datasetId, sha256]);
  if (!row) throw notFound('This image');
  await setLabels(datasetId, sha256, { ...labelsOf(row), boxes: [...boxes] });
}

/** Marks an image as reviewed (someone checked its labels), or back to not reviewed. */
export async function setReviewed(
  datasetId: string,
  sha256: string,
  reviewed: boolean,
): Promise<void> {
  const db = getDb();
  await db.transaction('rw', [db.datasets, db.annotations], async () => {
    const now = nextStamp();
    const updated = await db.annotations.update([datasetId, sha256], {
      reviewedAt: reviewed ? now : undefined,
    });
    if (updated === 0) throw notFound('This image');
    await db.datasets.update(datasetId, { updatedAt: now });
  });
}

/** Takes an image out of a dataset; its bytes go too unless another dataset uses them. */
export async function removeImageFromDataset(datasetId: string, sha256: string): Promise<void> {
  // Also drops its undo steps and suggestions, and records the removal for label sync
  // (docs/sync-protocol.md).
  await removeAndRecord(getDb(), datasetId, sha256);
}

/** A bulk removal stopped part-way: the batches before the failure stay removed. */
export class PartialRemovalError extends Error {
  override readonly name = 'PartialRemovalError';
  constructor(
    readonly removed: number,
    readonly untouched: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `${plural(removed, 'photo was', 'photos were')} removed; the other ${untouched} are untouched and still in the ` +
        `dataset (${why}). Select them again and retry; if it keeps failing, reload the page.`,
      { cause },
    );
  }
}

/**
 * Takes many images out of a dataset, as removeImageFromDataset does one: one transaction per
 * batch of ~50, so a big selection is not one long transaction and each committed batch can be
 * shown (`onbatch`). Throws PartialRemovalError when a batch fails. Returns how many the
 * dataset held.
 */
export async function removeImagesFromDataset(
  datasetId: string,
  sha256s: readonly string[],
  onbatch?: (removed: readonly string[]) => void,
): Promise<number> {
  const unique = [...new Set(sha256s)];
  let removed = 0;
  let done = 0;
  for (const batch of chunks(unique, BATCH_SIZE)) {
    try {
      removed += await removeAllAndRecord(getDb(), datasetId, batch);
    } catch (error) {
      throw new PartialRemovalError(done, unique.length - done, error);
    }
    done += batch.length;
    onbatch?.(batch);
  }
  return removed;
}

/**
 * Puts a removed image back ("Undo remove") with its labels. Its labels are recorded for label
 * sync even when empty: an edit from revision 0 brings a removed image back on the server
 * (docs/sync-protocol.md), also when its removal was already sent; without it the pending
 * removal would win and the next pull would delete the image here again.
 */
export async function restoreImageToDataset(
  datasetId: string,
  image: ImportedImage,
  labels: ImageLabels,
): Promise<void> {
  await addImagesToDataset(datasetId, [image]);
  await writeAndRecord(getDb(), datasetId, image.sha256, labels);
}

/**
 * Deletes the stored bytes of these images where no dataset refers to them any more. Must run
 * inside a transaction that includes `images`, `thumbnails` and `annotations`.
 */
export async function dropUnusedImages(sha256s: readonly string[]): Promise<void> {
  const db = getDb();
  const stillUsed = new Set(await db.annotations.where('sha256').anyOf(sha256s).keys());
  const unused = sha256s.filter((s) => !stillUsed.has(s));
  await db.images.bulkDelete(unused);
  await db.thumbnails.bulkDelete(unused);
}
