// Which images this device already holds, by content hash: a pull downloads only the others,
// and stores what it downloads as it goes, so an interrupted pull keeps what arrived.
import { nextStamp } from './clock';
import { getDb, type ImageRow } from './database';
import { DatasetError, isQuotaError } from './dataset-errors';

/** The stored image rows among `sha256s`, by hash. */
export async function storedImages(sha256s: readonly string[]): Promise<Map<string, ImageRow>> {
  const rows = await getDb().images.bulkGet([...sha256s]);
  return new Map(rows.flatMap((row) => (row ? [[row.sha256, row] as const] : [])));
}

/** Which of `sha256s` this device holds, without reading their bytes. */
export async function heldImages(sha256s: readonly string[]): Promise<Set<string>> {
  return new Set(
    await getDb()
      .images.where('sha256')
      .anyOf([...sha256s])
      .primaryKeys(),
  );
}

export type DownloadedImage = Pick<ImageRow, 'sha256' | 'blob' | 'mimeType' | 'width' | 'height'>;

/**
 * Stores downloaded images in one transaction (callers batch them: about 50 a transaction is
 * where IndexedDB writes Blobs fastest). They belong to no dataset yet: the pull that fetched
 * them adds its dataset once every image is here, and a pull that stops keeps them for the next.
 */
export async function storeDownloadedImages(images: readonly DownloadedImage[]): Promise<void> {
  const db = getDb();
  try {
    await db.transaction('rw', db.images, async () => {
      const held = await heldImages(images.map((i) => i.sha256));
      const rows = images
        .filter((i) => !held.has(i.sha256))
        .map((i) => ({ ...i, bytes: i.blob.size, addedAt: nextStamp() }));
      await db.images.bulkAdd(rows);
    });
  } catch (error) {
    if (!isQuotaError(error)) throw error;
    throw new DatasetError(
      'storage-full',
      'Storage on this device is full, so the download stopped; what arrived is kept. Delete ' +
        'datasets you no longer need (sync them first to keep them on the server), then get ' +
        'it again.',
    );
  }
}
