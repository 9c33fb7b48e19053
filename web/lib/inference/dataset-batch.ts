/**
 * A local dataset (IndexedDB) as a batch for ./batch-runner.ts: rows come a page at a time and
 * each image's bytes are read only when its turn comes. The key is the row itself, so whoever
 * folds the answers (evaluation, pre-labeling) has the image's labels at hand.
 */
import type { AnnotationRow } from '$lib/db/database';
import { getImageBlob } from '$lib/db/dataset-images';
import { countDatasetImages, datasetImagePages } from '$lib/db/dataset-pages';
import type { BatchItem, BatchSource } from './batch-runner';

export function imageItem<R extends Pick<AnnotationRow, 'sha256' | 'fileName'>>(
  row: R,
): BatchItem<R> {
  return {
    key: row,
    async read() {
      const blob = await getImageBlob(row.sha256);
      if (!blob) throw new Error(`${row.fileName} is no longer stored on this device`);
      return blob;
    },
  };
}

export async function datasetBatch(datasetId: string): Promise<BatchSource<AnnotationRow>> {
  return {
    total: await countDatasetImages(datasetId),
    async *pages() {
      for await (const rows of datasetImagePages(datasetId)) yield rows.map(imageItem);
    },
  };
}
