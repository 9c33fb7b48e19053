import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDb, getDb } from './database';
import { datasetImagePage, datasetImagesInOrder } from './dataset-listing';

afterEach(() => deleteDb());

async function seed(datasetId: string, count: number) {
  const sha = (i: number) => `${datasetId}${i}`.padStart(64, 'f');
  // Added in reverse hash order, so the order added and the order of hashes differ.
  await getDb().images.bulkPut(
    Array.from({ length: count }, (_, i) => ({
      sha256: sha(i),
      blob: new Blob(['x']),
      mimeType: 'image/jpeg' as const,
      width: 10 + i,
      height: 20,
      bytes: 1,
      addedAt: 0,
    })),
  );
  await getDb().annotations.bulkPut(
    Array.from({ length: count }, (_, i) => ({
      datasetId,
      sha256: sha(i),
      fileName: `${i}.jpg`,
      boxes: [],
      addedAt: 1000 - i,
      updatedAt: 0,
    })),
  );
}

describe('dataset listing', () => {
  it('reads a dataset page by page in the order its images were added, with their sizes', async () => {
    await seed('a', 7);
    await seed('b', 3);
    const pages: string[][] = [];
    for await (const page of datasetImagesInOrder('a', 3)) pages.push(page.map((i) => i.fileName));
    expect(pages).toEqual([['6.jpg', '5.jpg', '4.jpg'], ['3.jpg', '2.jpg', '1.jpg'], ['0.jpg']]);
    const [first] = await datasetImagePage('a', 6, 3);
    expect(first).toMatchObject({ fileName: '0.jpg', width: 10, height: 20 });
    expect(await datasetImagePage('none', 0)).toEqual([]);
  });
});
