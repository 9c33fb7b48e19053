// A dataset's images for the page, in the order they were added, a page at a time. One
// transaction reading 10,000 rows (and their image rows) at once held the main thread for
// 311-758 ms; each page here is one short read through the [datasetId+addedAt] index, and the
// caller yields between pages, so opening a big dataset never blocks the page.
import { Dexie } from 'dexie';
import { getDb } from './database';
import type { DatasetImage } from './dataset-images';

/** Rows per read: a few milliseconds of structured-clone work each. */
export const LIST_PAGE_SIZE = 400;

/** The rows from `offset`, in the order added (ties in the order of their hash). */
export async function datasetImagePage(
  datasetId: string,
  offset: number,
  limit = LIST_PAGE_SIZE,
): Promise<DatasetImage[]> {
  const db = getDb();
  return db.transaction('r', [db.images, db.annotations], async () => {
    const rows = await db.annotations
      .where('[datasetId+addedAt]')
      .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
      .offset(offset)
      .limit(limit)
      .toArray();
    // Only the sizes are wanted; the image rows' Blobs are handles, not bytes.
    const images = await db.images.bulkGet(rows.map((r) => r.sha256));
    return rows.flatMap((row, i) => {
      const image = images[i];
      if (!image) return [];
      const { width, height, mimeType, bytes } = image;
      return [{ ...row, width, height, mimeType, bytes }];
    });
  });
}

/** Every page in turn, each its own transaction, with a macrotask between two. */
export async function* datasetImagesInOrder(
  datasetId: string,
  pageSize = LIST_PAGE_SIZE,
): AsyncGenerator<DatasetImage[]> {
  for (let offset = 0; ; offset += pageSize) {
    const page = await datasetImagePage(datasetId, offset, pageSize);
    // A page cut short by a row without its image still counts its full size: stop at an empty one.
    if (page.length === 0) return;
    yield page;
    // Let input and rendering run between two reads.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
