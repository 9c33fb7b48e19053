import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteDb } from '$lib/db/database';
import {
  addImagesToDataset,
  createDataset,
  emptyLabels,
  listDatasetImages,
  rowFields,
  setLabels,
} from '$lib/db/datasets';
import { importedImage } from '$lib/images/test-images';
import { AutosaveQueue } from './autosave-queue';

const image = (content: string) => importedImage(content);
const box = (x: number) => ({ classIndex: 0, x, y: 0.1, w: 0.1, h: 0.1 });

beforeEach(() => deleteDb());

describe('autosave queue', () => {
  it('never lets a list read back mid-write drop a draw, over many quick switches', async () => {
    const dataset = await createDataset('Quick', ['card']);
    const photos = ['a', 'b', 'c'].map(image);
    await addImagesToDataset(dataset.id, photos);
    const unsaved: number[] = [];
    const queue = new AutosaveQueue((n) => unsaved.push(n));
    // What the page shows, as the page keeps it: each draw builds on the shown labels; between
    // rounds the list is read back from the database (as a reload after an import does).
    let shown = await listDatasetImages(dataset.id);
    const writes: Promise<void>[] = [];
    for (let round = 0; round < 4; round++) {
      for (const photo of photos) {
        const row = shown.find((i) => i.sha256 === photo.sha256)!;
        const labels = { ...emptyLabels(), boxes: [...row.boxes, box(0.1 + round * 0.2)] };
        const fields = rowFields(labels);
        shown = shown.map((i) => (i.sha256 === photo.sha256 ? { ...i, ...fields } : i));
        writes.push(
          queue.enqueue(photo.sha256, fields, () => setLabels(dataset.id, photo.sha256, labels)),
        );
      }
      // Read back with writes still queued (the first may be stored, the others wait their turn).
      shown = queue.overlay(await listDatasetImages(dataset.id));
    }
    expect(queue.unsaved).toBeGreaterThan(0);
    await Promise.all(writes);
    expect(queue.unsaved).toBe(0);
    expect(unsaved.at(-1)).toBe(0);
    const stored = await listDatasetImages(dataset.id);
    expect(stored.map((i) => i.boxes.length)).toEqual([4, 4, 4]);
    expect(queue.overlay(stored)).toEqual(stored);
  });

  it('rejects a failed write and goes on with the next', async () => {
    const queue = new AutosaveQueue();
    const failed = queue.enqueue('x', { boxes: [] }, () => Promise.reject(new Error('disk full')));
    const next = queue.enqueue('y', { boxes: [box(0.2)] }, () => Promise.resolve());
    await expect(failed).rejects.toThrow('disk full');
    await next;
    expect(queue.unsaved).toBe(0);
  });
});
