// Grid thumbnails made after the fact: images stored without one (pulled from the server, or
// stored before thumbnails existed) get theirs when the grid first shows them.
import { getDb } from './database';

/**
 * Stores a thumbnail for a stored image; false (and nothing stored) when the image is gone
 * meanwhile, so a thumbnail never outlives its image.
 */
export async function storeThumbnail(sha256: string, blob: Blob): Promise<boolean> {
  const db = getDb();
  return db.transaction('rw', [db.images, db.thumbnails], async () => {
    if ((await db.images.where('sha256').equals(sha256).count()) === 0) return false;
    await db.thumbnails.put({ sha256, blob });
    return true;
  });
}
