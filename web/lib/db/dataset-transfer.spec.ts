import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportedImage } from '$lib/images/imported-image';
import { deleteDb, getDb } from './database';
import { createDatasetFromImport, readDatasetContents } from './dataset-transfer';
import { listDatasets } from './datasets';
import { emptyLabels } from './image-labels';

function image(content: string, fileName = `${content}.jpg`): ImportedImage {
  const bytes = Buffer.from(content);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    blob: new Blob([bytes], { type: 'image/jpeg' }),
    fileName,
    mimeType: 'image/jpeg',
    width: 640,
    height: 480,
    bytes: bytes.length,
  };
}
const box = { classIndex: 0, x: 0.1, y: 0.1, w: 0.2, h: 0.2 };

beforeEach(async () => {
  vi.restoreAllMocks();
  await deleteDb();
});

describe('createDatasetFromImport', () => {
  it('stores the dataset, its images and labels; reads back the same', async () => {
    const { dataset, added, skipped } = await createDatasetFromImport(
      'Imported',
      ['card', 'corner'],
      'detect',
      [
        { image: image('a'), labels: { ...emptyLabels(), boxes: [box] } },
        { image: image('b'), labels: emptyLabels() },
        { image: image('a', 'again.jpg'), labels: { ...emptyLabels(), boxes: [box, box] } },
        {
          image: image('c'),
          labels: { ...emptyLabels(), boxes: [box, { ...box, classIndex: 5 }] },
        },
      ],
    );
    expect(added).toBe(3);
    expect(skipped).toEqual([
      'again.jpg: the same image as a.jpg; stored once',
      expect.stringMatching(/^c\.jpg: box 2 left out \(Box 1 uses class 6/),
    ]);
    const contents = await readDatasetContents(dataset.id);
    expect(contents.classes).toEqual(['card', 'corner']);
    expect(contents.images.map((i) => [i.fileName, i.labels.boxes.length])).toEqual([
      ['a.jpg', 1],
      ['b.jpg', 0],
      ['c.jpg', 1],
    ]);
  });

  it('stores nothing when the class list is refused or the write fails', async () => {
    await expect(
      createDatasetFromImport('Bad', ['card', 'card'], 'detect', [
        { image: image('a'), labels: emptyLabels() },
      ]),
    ).rejects.toThrow('appears more than once');
    await expect(createDatasetFromImport('Empty', ['card'], 'detect', [])).rejects.toThrow(
      'no usable images',
    );
    // A full disk while writing the annotations: the dataset and images written before it in the
    // same transaction are gone too.
    const quota = Object.assign(new Error('full'), { name: 'QuotaExceededError' });
    vi.spyOn(getDb().annotations, 'bulkAdd').mockRejectedValue(quota);
    await expect(
      createDatasetFromImport('Full', ['card'], 'detect', [
        { image: image('a'), labels: emptyLabels() },
      ]),
    ).rejects.toThrow('nothing was imported');
    expect(await listDatasets()).toEqual([]);
    expect(await getDb().images.count()).toBe(0);
  });
});
