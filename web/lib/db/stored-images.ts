// Which images this device already holds, by content hash: a pull downloads only the others.
import { getDb, type ImageRow } from './database';

/** The stored image rows among `sha256s`, by hash. */
export async function storedImages(sha256s: readonly string[]): Promise<Map<string, ImageRow>> {
  const rows = await getDb().images.bulkGet([...sha256s]);
  return new Map(rows.flatMap((row) => (row ? [[row.sha256, row] as const] : [])));
}
