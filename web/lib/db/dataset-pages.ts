// A dataset's labeled rows a page at a time, for batch work over thousands of photos (in-browser
// evaluation, pre-labeling): only one page of rows is in memory, and an image's bytes are read
// when its turn comes (getImageBlob), never the whole dataset at once.
import { Dexie } from 'dexie';
import { getDb, type AnnotationRow } from './database';

/** How many images a dataset holds (the batch's total, for progress). */
export async function countDatasetImages(datasetId: string): Promise<number> {
  return getDb().annotations.where('datasetId').equals(datasetId).count();
}

/**
 * The dataset's rows in pages of `pageSize`, ordered by image hash. Each page is one short
 * read that resumes after the last key, so a page read while the batch runs sees edits made
 * meanwhile and an image deleted meanwhile is simply not met.
 */
export async function* datasetImagePages(
  datasetId: string,
  pageSize = 50,
): AsyncGenerator<AnnotationRow[]> {
  let after: string | null = null;
  for (;;) {
    const lower: [string, string] = [datasetId, after ?? ''];
    const page: AnnotationRow[] = await getDb()
      .annotations.where('[datasetId+sha256]')
      .between(lower, [datasetId, Dexie.maxKey], after === null, true)
      .limit(pageSize)
      .toArray();
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.sha256;
  }
}
