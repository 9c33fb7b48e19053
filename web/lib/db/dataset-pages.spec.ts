import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { getDb, deleteDb } from './database';
import { countDatasetImages, datasetImagePages } from './dataset-pages';

afterEach(() => deleteDb());

const row = (datasetId: string, sha256: string) => ({
  datasetId,
  sha256,
  fileName: `${sha256}.jpg`,
  boxes: [],
  addedAt: 0,
  updatedAt: 0,
});

describe('dataset pages', () => {
  it('reads every row of one dataset once, a page at a time', async () => {
    const shas = Array.from({ length: 7 }, (_, i) => String(i).repeat(64));
    await getDb().annotations.bulkPut([
      ...shas.map((s) => row('d1', s)),
      row('d2', 'x'.repeat(64)),
    ]);
    const pages: string[][] = [];
    for await (const page of datasetImagePages('d1', 3)) pages.push(page.map((r) => r.sha256[0]!));
    expect(pages).toEqual([['0', '1', '2'], ['3', '4', '5'], ['6']]);
    expect(await countDatasetImages('d1')).toBe(7);
    const none: unknown[] = [];
    for await (const page of datasetImagePages('empty')) none.push(page);
    expect(none).toEqual([]);
  });
});
