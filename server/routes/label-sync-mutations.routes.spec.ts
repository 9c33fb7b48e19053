// Class changes and image removals as label-sync mutations (docs/sync-protocol.md): replayed,
// refused on a gap, and concurrent with other devices' label edits without losing any.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClassOp, LiveLabels, SyncMutation } from '../contract';
import { LAPTOP, labelSyncClient, PHONE, sha } from '../testing/label-sync-client';
import { createTestApi, type TestApi } from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const DATASET = '7e57c1a5-0000-4000-8000-00000000c1a5';
const CLASSES = ['card', 'back', 'slab'];

const box = (classIndex: number, x = 0.1): LiveLabels => ({
  boxes: [{ classIndex, x, y: 0.1, w: 0.2, h: 0.2 }],
  polygons: [],
  imageClass: null,
});
const edit = (seq: number, image: number, l: LiveLabels, baseRevision = 0, more = {}) =>
  ({
    seq,
    sha256: sha(image),
    baseRevision,
    labels: l,
    image: { fileName: `${image}.jpg`, width: 640, height: 480 },
    ...more,
  }) as SyncMutation;
const classOp = (seq: number, op: ClassOp, classVersion = 0): SyncMutation => ({
  kind: 'class',
  seq,
  op,
  classVersion,
});
const removal = (seq: number, image: number, baseRevision: number, more = {}): SyncMutation => ({
  kind: 'remove',
  seq,
  sha256: sha(image),
  baseRevision,
  ...more,
});

const { push, pushed, changes, conflicts } = labelSyncClient(() => t, DATASET, CLASSES);
const labelsOf = async (image: number) =>
  (await changes()).images.find((i) => i.sha256 === sha(image))?.labels;

/** Both devices start from images 1 and 2 labeled "back" (class 1) at revisions 1 and 2. */
async function seeded() {
  await pushed(PHONE, [edit(1, 1, box(1)), edit(2, 2, box(1))]);
  return changes();
}

describe('class changes as mutations', () => {
  it('applies a rename once: the same batch again changes nothing', async () => {
    await seeded();
    const batch = [classOp(3, { type: 'rename', from: 'back', to: 'reverse' })];
    const first = await pushed(PHONE, batch);
    expect(first.classes).toEqual(['card', 'reverse', 'slab']);
    expect(first.classVersion).toBe(1);
    const before = await changes();
    const again = await pushed(PHONE, batch);
    expect(again.results.map((r) => [r.kind, r.outcome])).toEqual([['class', 'applied']]);
    expect(await changes()).toEqual(before);
    // A rename moves no index: the images keep their labels and revisions.
    expect(before.revision).toBe(2);
  });

  it('refuses a gap in a push that holds class changes, and applies none of it', async () => {
    await seeded();
    const res = await push(PHONE, [
      classOp(3, { type: 'add', name: 'foil' }),
      classOp(5, { type: 'rename', from: 'card', to: 'front' }),
    ]);
    expect(res.status).toBe(409);
    expect((await res.json()).error.details).toEqual({ lastSeq: 2 });
    expect((await changes()).classes).toEqual(CLASSES);
  });

  it('merges: relabels the live images, and bumps them so other devices pull', async () => {
    const start = await seeded();
    await pushed(PHONE, [edit(3, 3, box(2))]);
    const merged = await pushed(PHONE, [classOp(4, { type: 'merge', from: 'card', into: 'slab' })]);
    expect(merged.classes).toEqual(['back', 'slab']);
    const pulled = await changes(start.revision + 1);
    // Every image whose indices moved comes with the pull: "back" 1 -> 0, "slab" 2 -> 1.
    expect(pulled.images.map((i) => [i.sha256, i.labels])).toEqual([
      [sha(1), box(0)],
      [sha(2), box(0)],
      [sha(3), box(1)],
    ]);
  });

  it('lands a stale label edit on the merged class, without a conflict from the relabel', async () => {
    await seeded();
    // The laptop saw revision 1 and class version 0, then labels image 1 "card" offline.
    await pushed(PHONE, [classOp(3, { type: 'merge', from: 'card', into: 'slab' })]);
    const late = await pushed(LAPTOP, [edit(1, 1, box(0, 0.5), 1, { classVersion: 0 })]);
    expect(late.results[0]).toMatchObject({ outcome: 'applied', labels: box(1, 0.5) });
    expect(await labelsOf(1)).toEqual(box(1, 0.5)); // "slab" in ['back', 'slab']
    expect(await conflicts()).toEqual([]);
  });

  it('lands a label on a class renamed meanwhile, and on a renamed-then-reused name right', async () => {
    await seeded();
    await pushed(PHONE, [
      classOp(3, { type: 'rename', from: 'back', to: 'reverse' }),
      classOp(4, { type: 'add', name: 'back' }),
    ]);
    expect((await changes()).classes).toEqual(['card', 'reverse', 'slab', 'back']);
    // The laptop still calls class 1 "back": it meant the class now named "reverse".
    const late = await pushed(LAPTOP, [edit(1, 2, box(1, 0.4), 2, { classVersion: 0 })]);
    expect(late.results[0]?.labels).toEqual(box(1, 0.4));
  });

  it('brings a deleted class back when another device labeled with it meanwhile', async () => {
    await seeded();
    await pushed(PHONE, [classOp(3, { type: 'delete', name: 'back', moveTo: null })]);
    expect(await labelsOf(1)).toEqual({ boxes: [], polygons: [], imageClass: null });
    const late = await pushed(LAPTOP, [edit(1, 1, box(1, 0.6), 1, { classVersion: 0 })]);
    expect(late.classes).toEqual(['card', 'slab', 'back']);
    expect(await labelsOf(1)).toEqual(box(2, 0.6));
  });

  it('moves the labels of a deleted class, and translates a stale change through a rename', async () => {
    await seeded();
    await pushed(PHONE, [classOp(3, { type: 'rename', from: 'card', to: 'front' })]);
    // The laptop never saw the rename: its "card" is "front" now.
    await pushed(LAPTOP, [classOp(1, { type: 'delete', name: 'back', moveTo: 'card' }, 0)]);
    expect((await changes()).classes).toEqual(['front', 'slab']);
    expect(await labelsOf(1)).toEqual(box(0));
  });

  it('turns a rename onto a name another device added into a merge', async () => {
    await seeded();
    await pushed(PHONE, [classOp(3, { type: 'add', name: 'reverse' })]);
    await pushed(LAPTOP, [classOp(1, { type: 'rename', from: 'back', to: 'reverse' }, 0)]);
    expect((await changes()).classes).toEqual(['card', 'slab', 'reverse']);
    expect(await labelsOf(2)).toEqual(box(2));
  });
});

describe('image removal as a mutation', () => {
  it('removes once, is pulled as a removal, and is left out of listings and seals', async () => {
    await seeded();
    const batch = [removal(3, 2, 2)];
    const first = await pushed(PHONE, batch);
    expect(first.results[0]).toMatchObject({ kind: 'remove', outcome: 'applied', removed: true });
    const before = await changes();
    await pushed(PHONE, batch);
    expect(await changes()).toEqual(before);
    expect(before.images.map((i) => i.sha256)).toEqual([sha(1)]);
    expect((await changes(2)).removed).toEqual([sha(2)]);
    const listed = await (await t.user('/api/label-sync')).json();
    expect(listed[0].imageCount).toBe(1);
  });

  it('keeps an edit made after the removal as a conflict that can bring the image back', async () => {
    await seeded();
    await pushed(PHONE, [removal(3, 2, 2)]);
    const late = await pushed(LAPTOP, [edit(1, 2, box(0, 0.7), 2)]);
    expect(late.results[0]).toMatchObject({ outcome: 'conflict', removed: true });
    const [conflict] = await conflicts();
    expect(conflict).toMatchObject({ currentRemoved: true, labels: box(0, 0.7), deviceId: LAPTOP });
    const restore = edit(2, 2, box(0, 0.7), 2, { resolves: [conflict!.id] });
    expect((await pushed(LAPTOP, [restore])).results[0]?.outcome).toBe('applied');
    expect(await labelsOf(2)).toEqual(box(0, 0.7));
    expect(await conflicts()).toEqual([]);
  });

  it('removes over an edit the remover had not seen, keeping that edit as a conflict', async () => {
    await seeded();
    await pushed(LAPTOP, [edit(1, 2, box(2, 0.3), 2)]);
    // The phone removes image 2 from revision 2: it never saw the laptop's edit.
    await pushed(PHONE, [removal(3, 2, 2)]);
    expect((await changes()).images.map((i) => i.sha256)).toEqual([sha(1)]);
    const [conflict] = await conflicts();
    expect(conflict).toMatchObject({ deviceId: LAPTOP, seq: 1, labels: box(2, 0.3) });
    expect(conflict?.currentRemoved).toBe(true);
  });

  it('lets an image imported again after its removal come back', async () => {
    await seeded();
    await pushed(PHONE, [removal(3, 1, 1)]);
    const again = await pushed(LAPTOP, [edit(1, 1, box(0), 0)]);
    expect(again.results[0]?.outcome).toBe('applied');
    expect(await labelsOf(1)).toEqual(box(0));
  });
});
