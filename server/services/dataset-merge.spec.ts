import { describe, expect, it } from 'vitest';
import type { DatasetManifest, ManifestImage } from '../contract';
import { classesKept, deriveManifest } from './dataset-derive';
import { diffManifests } from './dataset-diff';
import { mergeManifests } from './dataset-merge';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const box = (classIndex: number, x = 0.1) => ({ classIndex, x, y: 0.1, w: 0.2, h: 0.2 });
const image = (n: number, boxes: ManifestImage['boxes'], extra: Partial<ManifestImage> = {}) => ({
  sha256: sha(n),
  fileName: `${n}.jpg`,
  width: 100,
  height: 80,
  boxes,
  ...extra,
});
const manifest = (classes: string[], images: ManifestImage[]): DatasetManifest => ({
  name: 'm',
  classes,
  images,
});

describe('diffManifests', () => {
  it('finds added, removed, relabeled and resized images, matching classes by name', () => {
    const a = manifest(
      ['card', 'back'],
      [image(1, [box(0)]), image(2, [box(1)]), image(3, [box(0)])],
    );
    // Same labels with the classes renumbered: image 1 is unchanged.
    const b = manifest(
      ['back', 'card', 'sleeve'],
      [image(1, [box(1)]), image(3, [box(1), box(2)], { width: 200 }), image(4, [box(2)])],
    );
    const d = diffManifests({ from: sha(10), to: sha(11) }, a, b);
    expect(d.added.map((i) => i.fileName)).toEqual(['4.jpg']);
    expect(d.removed.map((i) => i.fileName)).toEqual(['2.jpg']);
    expect(d.labelsChanged.map((i) => i.fileName)).toEqual(['3.jpg']);
    expect(d.sizeChanged).toEqual([
      {
        sha256: sha(3),
        fileName: '3.jpg',
        from: { width: 100, height: 80 },
        to: { width: 200, height: 80 },
      },
    ]);
    expect(d.classes).toEqual([
      { name: 'card', from: 2, to: 2, inAdded: 0, inRemoved: 0, inChanged: 0 },
      { name: 'back', from: 1, to: 0, inAdded: 0, inRemoved: 1, inChanged: 0 },
      { name: 'sleeve', from: 0, to: 2, inAdded: 1, inRemoved: 0, inChanged: 1 },
    ]);
  });
});

describe('mergeManifests', () => {
  it('maps classes onto target names, drops some, and unites labels of a shared image', () => {
    const a = manifest(['card', 'junk'], [image(1, [box(0)]), image(2, [box(1)])]);
    const b = manifest(['Card', 'back'], [image(1, [box(0), box(0, 0.5)]), image(3, [box(1)])]);
    const merged = mergeManifests(
      'all',
      [
        { id: sha(10), manifest: a, classMap: { junk: null } },
        { id: sha(11), manifest: b, classMap: { Card: 'card' } },
      ],
      'drop',
    );
    expect(merged.classes).toEqual(['card', 'back']);
    expect(merged.images.map((i) => [i.sha256, i.boxes.length])).toEqual([
      [sha(1), 2],
      [sha(3), 1],
    ]);
    expect(merged.images[1]!.boxes[0]!.classIndex).toBe(1);
  });

  it('refuses a map naming an unknown class, mixed tasks, and two image classes for one image', () => {
    const a = manifest(['x', 'y'], [image(1, [], { imageClass: 0 })]);
    const b = manifest(['x', 'y'], [image(1, [], { imageClass: 1 })]);
    const src = (m: DatasetManifest, classMap = {}) => ({ id: sha(9), manifest: m, classMap });
    expect(() => mergeManifests('n', [src(a, { z: 'x' })], 'keep')).toThrow(/does not have: z/);
    expect(() => mergeManifests('n', [src(a), src({ ...b, task: 'classify' })], 'keep')).toThrow(
      /classify dataset/,
    );
    expect(() => mergeManifests('n', [src(a), src(b)], 'keep')).toThrow(
      /"x" in one source and "y"/,
    );
    expect(mergeManifests('n', [src(a), src(b, { y: 'x' })], 'keep').images[0]!.imageClass).toBe(0);
  });
});

describe('deriveManifest', () => {
  const m = manifest(
    ['a', 'b', 'c', 'd'],
    [
      image(1, [box(0), box(1), box(1)]),
      image(2, [box(2), box(1)]),
      image(3, [box(3)]),
      image(4, [box(2)]),
    ],
  );

  it('keeps the top K classes (ties to the earlier class) or those with at least N', () => {
    expect(classesKept([1, 3, 2, 2], { kind: 'top-k', k: 2 })).toEqual([1, 2]);
    expect(classesKept([1, 3, 2, 2], { kind: 'min-count', n: 2 })).toEqual([1, 2, 3]);
    expect(classesKept([0, 3], { kind: 'top-k', k: 5 })).toEqual([1]);
  });

  it('renumbers the kept classes and keeps or drops images left unlabeled', () => {
    const kept = deriveManifest(m, { kind: 'top-k', k: 2 }, 'keep', 'top2');
    expect(kept.classes).toEqual(['b', 'c']);
    expect(kept.images.map((i) => i.boxes.map((b) => b.classIndex))).toEqual([
      [0, 0],
      [1, 0],
      [],
      [1],
    ]);
    const dropped = deriveManifest(m, { kind: 'min-count', n: 2 }, 'drop', 'min2');
    expect(dropped.images.map((i) => i.sha256)).toEqual([sha(1), sha(2), sha(4)]);
    expect(() => deriveManifest(m, { kind: 'min-count', n: 9 }, 'drop', 'x')).toThrow(/no class/);
  });
});
