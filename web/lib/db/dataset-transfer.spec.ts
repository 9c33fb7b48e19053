import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { importedImage } from '$lib/images/test-images';
import { deleteDb, getDb } from './database';
import {
  addImportToDataset,
  createDatasetFromImport,
  readDatasetContents,
} from './dataset-transfer';
import { listDatasets } from './datasets';
import { emptyLabels } from './image-labels';

const image = importedImage;
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

describe('addImportToDataset', () => {
  it('matches classes by name, adds new ones, skips images the dataset holds', async () => {
    const { dataset } = await createDatasetFromImport('Cards', ['card', 'corner'], 'detect', [
      { image: image('a'), labels: { ...emptyLabels(), boxes: [box] } },
    ]);
    // The file numbers its classes otherwise: 0 corner, 1 back (new), 2 card.
    const fileBox = (classIndex: number) => ({ ...box, classIndex });
    const merged = await addImportToDataset(
      dataset.id,
      ['corner', 'back', 'card'],
      [
        { image: image('a'), labels: { ...emptyLabels(), boxes: [fileBox(1)] } },
        { image: image('b'), labels: { ...emptyLabels(), boxes: [fileBox(0), fileBox(1)] } },
        { image: image('c'), labels: { ...emptyLabels(), boxes: [fileBox(2)] } },
        { image: image('c', 'c-again.jpg'), labels: emptyLabels() },
      ],
    );
    expect(merged).toMatchObject({ added: 2, duplicates: 2, newClasses: ['back'], skipped: [] });
    const contents = await readDatasetContents(dataset.id);
    expect(contents.classes).toEqual(['card', 'corner', 'back']);
    const byName = Object.fromEntries(
      contents.images.map((i) => [i.fileName, i.labels.boxes.map((b) => b.classIndex)]),
    );
    // The held image keeps its own labels; the new ones use the dataset's class numbers.
    expect(byName).toEqual({ 'a.jpg': [0], 'b.jpg': [1, 2], 'c.jpg': [0] });
  });

  it('stores nothing when the dataset is gone', async () => {
    await expect(
      addImportToDataset('missing', ['card'], [{ image: image('a'), labels: emptyLabels() }]),
    ).rejects.toThrow(/dataset/i);
    expect(await getDb().images.count()).toBe(0);
  });
});
