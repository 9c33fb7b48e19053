import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { Dexie } from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatasetManifest, type Box } from '$contract';
import type { ImportedImage } from '$lib/images/imported-image';
import { deleteDb, getDb } from './database';
import {
  addImagesToDataset,
  buildManifest,
  createDataset,
  DatasetError,
  deleteDataset,
  getDataset,
  getImageBlob,
  hasUnsyncedChanges,
  listDatasetImages,
  listDatasets,
  markSynced,
  removeImageFromDataset,
  setBoxes,
} from './datasets';

/** A stand-in for what the import worker returns: real bytes and their real SHA-256. */
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

const box = (overrides: Partial<Box> = {}): Box => ({
  classIndex: 0,
  x: 0.1,
  y: 0.2,
  w: 0.3,
  h: 0.4,
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

beforeEach(async () => {
  await deleteDb();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createDataset', () => {
  it('stores a detect dataset with trimmed name and classes', async () => {
    const created = await createDataset('  Card borders ', [' edge', 'corner ']);
    expect(created).toMatchObject({
      name: 'Card borders',
      classes: ['edge', 'corner'],
      task: 'detect',
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await getDataset(created.id)).toEqual(created);
    expect(await listDatasets()).toEqual([{ ...created, imageCount: 0 }]);
  });

  it.each([
    ['an empty name', '   ', ['card'], /name/],
    ['no classes', 'Cards', [], /at least one class/],
    ['a blank class', 'Cards', ['card', ' '], /Class 2 has no name/],
    ['duplicate classes', 'Cards', ['card', 'edge', 'card '], /unique: "card"/],
  ])('refuses %s with a clear message and stores nothing', async (_, name, classes, message) => {
    const error = await rejection(createDataset(name, classes));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(await listDatasets()).toEqual([]);
  });
});

describe('addImagesToDataset', () => {
  it('counts an image already in the dataset, or given twice, as a duplicate', async () => {
    const { id } = await createDataset('Cards', ['card']);
    expect(
      await addImagesToDataset(id, [image('a'), image('b'), image('a', 'copy of a.jpg')]),
    ).toEqual({
      added: 2,
      duplicates: 1,
    });
    expect(await addImagesToDataset(id, [image('b'), image('c')])).toEqual({
      added: 1,
      duplicates: 1,
    });
    const images = await listDatasetImages(id);
    expect(images.map((i) => i.fileName)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(images[0]).toMatchObject({ width: 640, height: 480, mimeType: 'image/jpeg', boxes: [] });
  });

  it('stores an image used by two datasets once', async () => {
    const first = await createDataset('First', ['card']);
    const second = await createDataset('Second', ['card']);
    await addImagesToDataset(first.id, [image('shared'), image('only-first')]);
    await addImagesToDataset(second.id, [image('shared')]);
    expect(await getDb().images.count()).toBe(2);
    expect(await getDb().annotations.count()).toBe(3);
    expect(await (await getImageBlob(image('shared').sha256))?.text()).toBe('shared');
    expect((await listDatasets()).map((d) => d.imageCount).sort()).toEqual([1, 2]);
  });

  it('writes in batches and, when storage fills up, keeps the saved batches and says so', async () => {
    const { id } = await createDataset('Cards', ['card']);
    const table = getDb().images;
    const bulkAdd = table.bulkAdd.bind(table);
    vi.spyOn(table, 'bulkAdd')
      .mockImplementationOnce(bulkAdd)
      .mockImplementationOnce(() =>
        Dexie.Promise.reject(new DOMException('full', 'QuotaExceededError')),
      );
    const many = Array.from({ length: 70 }, (_, i) => image(`photo-${i}`));
    const error = await rejection(addImagesToDataset(id, many));
    expect(error.code).toBe('storage-full');
    expect(error.message).toMatch(/50 new images were saved.*20 were not/);
    expect(error.message).toMatch(/import the remaining images again/);
    expect(await getDb().images.count()).toBe(50);
    expect(await getDb().annotations.count()).toBe(50);
  });

  it('refuses an image the manifest could not carry, storing nothing', async () => {
    const { id } = await createDataset('Cards', ['card']);
    const huge = { ...image('huge'), width: 30_000 };
    const error = await rejection(addImagesToDataset(id, [image('fine'), huge]));
    expect(error.message).toMatch(/huge\.jpg/);
    expect(await getDb().images.count()).toBe(0);
  });

  it('refuses a dataset that does not exist', async () => {
    expect((await rejection(addImagesToDataset('nope', [image('a')]))).code).toBe('not-found');
  });
});

describe('setBoxes', () => {
  it('stores valid boxes and marks the dataset changed', async () => {
    const { id } = await createDataset('Cards', ['card', 'edge']);
    const { sha256 } = image('a');
    await addImagesToDataset(id, [image('a')]);
    const before = (await getDataset(id))!.updatedAt;
    await setBoxes(id, sha256, [box(), box({ classIndex: 1, x: 0.5, w: 0.5 })]);
    expect((await listDatasetImages(id))[0]?.boxes).toEqual([
      box(),
      box({ classIndex: 1, x: 0.5, w: 0.5 }),
    ]);
    expect((await getDataset(id))!.updatedAt).toBeGreaterThan(before);
  });

  it('rejects a box far outside the image with an actionable message and stores nothing', async () => {
    const { id } = await createDataset('Cards', ['card']);
    const { sha256 } = image('a');
    await addImagesToDataset(id, [image('a')]);
    await setBoxes(id, sha256, [box()]);
    // A box crossing the edge is kept as given (an imported label); one more than an image past
    // it is no normalised box at all.
    await setBoxes(id, sha256, [box({ x: 0.8, w: 0.3 })]);
    expect((await listDatasetImages(id))[0]?.boxes).toEqual([box({ x: 0.8, w: 0.3 })]);
    await setBoxes(id, sha256, [box()]);
    const error = await rejection(setBoxes(id, sha256, [box({ x: 0.2 }), box({ x: 1.8, w: 0.3 })]));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(/Box 2 .*an image past the edge.*Redraw it inside the image/);
    expect((await listDatasetImages(id))[0]?.boxes).toEqual([box()]);
  });

  it('rejects a class the dataset does not have', async () => {
    const { id } = await createDataset('Cards', ['card']);
    await addImagesToDataset(id, [image('a')]);
    const error = await rejection(setBoxes(id, image('a').sha256, [box({ classIndex: 1 })]));
    expect(error.message).toMatch(/class 2, but the dataset has 1 class/);
  });

  it('refuses an image that is not in the dataset', async () => {
    const { id } = await createDataset('Cards', ['card']);
    expect((await rejection(setBoxes(id, image('a').sha256, [box()]))).code).toBe('not-found');
  });
});

describe('buildManifest and markSynced', () => {
  it('builds a manifest the contract accepts, in the order images were added', async () => {
    const { id } = await createDataset('Cards', ['card', 'edge']);
    await addImagesToDataset(id, [image('a'), image('b')]);
    await setBoxes(id, image('b').sha256, [box({ classIndex: 1 })]);
    const manifest = await buildManifest(id);
    expect(DatasetManifest.safeParse(manifest).success).toBe(true);
    expect(manifest).toEqual({
      name: 'Cards',
      classes: ['card', 'edge'],
      images: [
        { sha256: image('a').sha256, fileName: 'a.jpg', width: 640, height: 480, boxes: [] },
        {
          sha256: image('b').sha256,
          fileName: 'b.jpg',
          width: 640,
          height: 480,
          boxes: [box({ classIndex: 1 })],
        },
      ],
    });
  });

  it('records the version and tells when the dataset changed since', async () => {
    const dataset = await createDataset('Cards', ['card']);
    expect(hasUnsyncedChanges(dataset)).toBe(true);
    const versionId = 'ab'.repeat(32);
    await markSynced(dataset.id, versionId);
    const synced = (await getDataset(dataset.id))!;
    expect(synced.lastSyncedVersionId).toBe(versionId);
    expect(hasUnsyncedChanges(synced)).toBe(false);
    await addImagesToDataset(dataset.id, [image('a')]);
    expect(hasUnsyncedChanges((await getDataset(dataset.id))!)).toBe(true);
    expect((await rejection(markSynced(dataset.id, 'not-a-hash'))).code).toBe('invalid');
  });
});

describe('removing', () => {
  it('deletes image bytes only when no dataset uses them any more', async () => {
    const first = await createDataset('First', ['card']);
    const second = await createDataset('Second', ['card']);
    await addImagesToDataset(first.id, [image('shared'), image('mine')]);
    await addImagesToDataset(second.id, [image('shared')]);
    await removeImageFromDataset(first.id, image('mine').sha256);
    expect(await getImageBlob(image('mine').sha256)).toBeUndefined();
    await deleteDataset(first.id);
    expect(await getImageBlob(image('shared').sha256)).toBeDefined();
    await deleteDataset(second.id);
    expect(await getDb().images.count()).toBe(0);
    expect(await listDatasets()).toEqual([]);
  });
});
