import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Box, Polygon } from '$contract';
import type { ImportedImage } from '$lib/images/imported-image';
import { deleteDb, getDb } from './database';
import { deleteClass, mergeClasses, recolorClass, renameClass, addClass } from './dataset-classes';
import {
  addImagesToDataset,
  buildManifest,
  createDataset,
  DatasetError,
  historyState,
  listDatasetImages,
  redo,
  setLabels,
  undo,
} from './datasets';
import { emptyLabels, labelsOf as labelsOfRow } from './image-labels';

function image(content: string): ImportedImage {
  const bytes = Buffer.from(content);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    blob: new Blob([bytes], { type: 'image/jpeg' }),
    fileName: `${content}.jpg`,
    mimeType: 'image/jpeg',
    width: 640,
    height: 480,
    bytes: bytes.length,
  };
}

const box = (classIndex: number, x = 0.1): Box => ({ classIndex, x, y: 0.2, w: 0.3, h: 0.4 });
const polygon = (classIndex: number): Polygon => ({
  classIndex,
  points: [
    [0.1, 0.1],
    [0.5, 0.15],
    [0.3, 0.6],
  ],
});

async function setup(classes = ['card', 'back', 'corner']) {
  const dataset = await createDataset('Cards', classes);
  const a = image('a');
  const b = image('b');
  await addImagesToDataset(dataset.id, [a, b]);
  return { dataset, a: a.sha256, b: b.sha256 };
}

async function labelsOf(datasetId: string, sha256: string) {
  const rows = await listDatasetImages(datasetId);
  const row = rows.find((r) => r.sha256 === sha256)!;
  return { boxes: row.boxes, polygons: row.polygons ?? [], imageClass: row.imageClass ?? null };
}

beforeEach(async () => {
  await deleteDb();
});

describe('undo and redo', () => {
  it('steps back and forward through changes across images, from a fresh connection', async () => {
    const { dataset, a, b } = await setup();
    await setLabels(dataset.id, a, { ...emptyLabels(), boxes: [box(0)] });
    await setLabels(dataset.id, b, { ...emptyLabels(), polygons: [polygon(1)] });
    await setLabels(dataset.id, a, { ...emptyLabels(), boxes: [box(0), box(2, 0.5)] });

    // A reload: the history lives in IndexedDB, not in the page.
    getDb().close();
    await getDb().open();

    expect(await undo(dataset.id)).toMatchObject({ sha256: a, labels: { boxes: [box(0)] } });
    expect(await undo(dataset.id)).toMatchObject({ sha256: b, labels: { polygons: [] } });
    expect((await labelsOf(dataset.id, b)).polygons).toEqual([]);
    expect(await historyState(dataset.id)).toEqual({ canUndo: true, canRedo: true });

    expect(await redo(dataset.id)).toMatchObject({ sha256: b });
    expect((await labelsOf(dataset.id, b)).polygons).toEqual([polygon(1)]);
    expect(await redo(dataset.id)).toMatchObject({ sha256: a });
    expect((await labelsOf(dataset.id, a)).boxes).toHaveLength(2);
    expect(await redo(dataset.id)).toBeNull();
  });

  it('a new change after an undo drops the redo steps', async () => {
    const { dataset, a } = await setup();
    await setLabels(dataset.id, a, { ...emptyLabels(), boxes: [box(0)] });
    await undo(dataset.id);
    await setLabels(dataset.id, a, { ...emptyLabels(), imageClass: 1 });
    expect(await historyState(dataset.id)).toEqual({ canUndo: true, canRedo: false });
    expect(await redo(dataset.id)).toBeNull();
  });

  it('stores nothing, and records no step, for an invalid label', async () => {
    const { dataset, a } = await setup();
    const bad = { ...emptyLabels(), polygons: [{ classIndex: 0, points: [[0.1, 0.1]] }] };
    const error = await setLabels(dataset.id, a, bad as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toContain('at least 3 vertices');
    expect(await historyState(dataset.id)).toEqual({ canUndo: false, canRedo: false });
  });

  it('puts polygons and the image class in the manifest only when there are some', async () => {
    const { dataset, a } = await setup();
    await setLabels(dataset.id, a, { boxes: [], polygons: [polygon(2)], imageClass: 1 });
    const manifest = await buildManifest(dataset.id);
    expect(manifest.task).toBeUndefined();
    const [first, second] = manifest.images;
    expect(first).toMatchObject({ polygons: [polygon(2)], imageClass: 1 });
    expect(second).not.toHaveProperty('polygons');
    expect(second).not.toHaveProperty('imageClass');
  });
});

describe('classes', () => {
  it('merge relabels every box, polygon and image class and renumbers the rest', async () => {
    const { dataset, a, b } = await setup();
    await setLabels(dataset.id, a, {
      boxes: [box(0), box(1), box(2)],
      polygons: [],
      imageClass: 0,
    });
    await setLabels(dataset.id, b, {
      boxes: [],
      polygons: [polygon(0), polygon(2)],
      imageClass: 2,
    });
    const { dataset: merged, relabeled } = await mergeClasses(dataset.id, 0, 2);
    expect(merged.classes).toEqual(['back', 'corner']);
    expect(relabeled).toBe(3);
    expect(await labelsOf(dataset.id, a)).toEqual({
      boxes: [box(1), box(0), box(1)],
      polygons: [],
      imageClass: 1,
    });
    expect(await labelsOf(dataset.id, b)).toEqual({
      boxes: [],
      polygons: [polygon(1), polygon(1)],
      imageClass: 1,
    });
    // The old numbering must not come back through undo.
    expect(await undo(dataset.id)).toBeNull();
  });

  it('delete removes the class labels or moves them to another class', async () => {
    const { dataset, a } = await setup();
    await setLabels(dataset.id, a, {
      boxes: [box(0), box(1), box(2)],
      polygons: [],
      imageClass: 1,
    });
    await deleteClass(dataset.id, 1, { labels: 'delete' });
    expect(await labelsOf(dataset.id, a)).toEqual({
      boxes: [box(0), box(1)],
      polygons: [],
      imageClass: null,
    });
    await deleteClass(dataset.id, 0, { labels: 'move', to: 1 });
    expect(await labelsOf(dataset.id, a)).toEqual({
      boxes: [box(0), box(0)],
      polygons: [],
      imageClass: null,
    });
    await expect(deleteClass(dataset.id, 0, { labels: 'delete' })).rejects.toThrow(
      'at least one class',
    );
  });

  it('add, rename and recolour check names and colours', async () => {
    const { dataset } = await setup(['card']);
    await addClass(dataset.id, 'back');
    await expect(addClass(dataset.id, ' back ')).rejects.toThrow('already has a class named');
    const renamed = await renameClass(dataset.id, 1, 'reverse');
    expect(renamed.classes).toEqual(['card', 'reverse']);
    const coloured = await recolorClass(dataset.id, 1, '#00AA11');
    expect(coloured.colors).toEqual([null, '#00aa11']);
    await expect(recolorClass(dataset.id, 0, 'red')).rejects.toThrow('not a colour');
  });
});

async function rowOf(datasetId: string, sha256: string) {
  return (await listDatasetImages(datasetId)).find((r) => r.sha256 === sha256)!;
}

describe('a photo pinned to a split', () => {
  it('travels in the manifest, survives box edits and class merges, and undoes', async () => {
    const dataset = await createDataset('Cards', ['card', 'back']);
    const a = image('a');
    await addImagesToDataset(dataset.id, [a, image('b')]);
    await setLabels(dataset.id, a.sha256, { boxes: [box(1)], polygons: [], imageClass: null });
    await setLabels(dataset.id, a.sha256, {
      ...labelsOfRow(await rowOf(dataset.id, a.sha256)),
      split: 'val',
    });

    const manifest = await buildManifest(dataset.id);
    const entry = manifest.images.find((i) => i.sha256 === a.sha256)!;
    expect(entry.split).toBe('val');
    // An unpinned photo sends no key, so its version id is what it was before pins existed.
    expect(manifest.images.find((i) => i.sha256 !== a.sha256)).not.toHaveProperty('split');

    // A box edit built from the current labels keeps the pin; so does a class merge.
    const current = labelsOfRow(await rowOf(dataset.id, a.sha256));
    await setLabels(dataset.id, a.sha256, { ...current, boxes: [box(1), box(0)] });
    await mergeClasses(dataset.id, 1, 0);
    expect((await rowOf(dataset.id, a.sha256)).split).toBe('val');

    // Unpinning is an edit like any other: undo puts the pin back.
    const { split: _pin, ...unpinned } = labelsOfRow(await rowOf(dataset.id, a.sha256));
    await setLabels(dataset.id, a.sha256, unpinned);
    expect((await rowOf(dataset.id, a.sha256)).split).toBeUndefined();
    await undo(dataset.id);
    expect((await rowOf(dataset.id, a.sha256)).split).toBe('val');
  });

  it('refuses a side that does not exist and stores nothing', async () => {
    const dataset = await createDataset('Cards', ['card']);
    const a = image('a');
    await addImagesToDataset(dataset.id, [a]);
    const bad = { boxes: [], polygons: [], imageClass: null, split: 'holdout' as never };
    await expect(setLabels(dataset.id, a.sha256, bad)).rejects.toThrow(/train, val or test/);
    expect((await rowOf(dataset.id, a.sha256)).split).toBeUndefined();
  });
});
