import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { SHARED_DATASETS } from '../../../test/fixtures/shared-datasets';
import type { ImageLabels } from '$lib/db/database';
import { parseDataYaml } from './data-yaml';
import type { ExportImage } from './format-types';
import { exportYolo, importYolo } from './yolo-format';

const jpeg = (n: number) => new Uint8Array([0xff, 0xd8, 0xff, n]);
const labels = (l: Partial<ImageLabels>): ImageLabels => ({
  boxes: [],
  polygons: [],
  imageClass: null,
  ...l,
});

const images: ExportImage[] = [
  {
    fileName: 'a.jpg',
    sha256: 'a'.repeat(64),
    width: 640,
    height: 480,
    bytes: jpeg(1),
    labels: labels({
      boxes: [
        { classIndex: 0, x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
        { classIndex: 1, x: 0.5, y: 0.5, w: 0.5, h: 0.5 },
      ],
    }),
  },
  {
    fileName: 'b.jpg',
    sha256: 'b'.repeat(64),
    width: 640,
    height: 480,
    bytes: jpeg(2),
    labels: labels({
      polygons: [
        {
          classIndex: 1,
          points: [
            [0.1, 0.1],
            [0.9, 0.15],
            [0.5, 0.8],
            [0.2, 0.6],
          ],
        },
      ],
    }),
  },
  // Same file name, different content; and no labels.
  {
    fileName: 'a.jpg',
    sha256: 'c'.repeat(64),
    width: 64,
    height: 64,
    bytes: jpeg(3),
    labels: labels({}),
  },
];

describe('YOLO export then import', () => {
  it('segment: gives back the same polygons, boxes as 4-corner polygons, and says so', () => {
    const out = exportYolo({ name: 'Cards', task: 'segment', classes: ['card', 'corner'], images });
    expect(out.warnings).toEqual([
      '2 boxes are written as 4-corner polygons (YOLO segment holds polygons only).',
    ]);
    const plan = importYolo(out.bytes);
    expect(plan.classes).toEqual(['card', 'corner']);
    expect(plan.skipped).toEqual([]);
    expect(plan.images.map((i) => i.path)).toEqual([
      'images/train/a-cccccccc.jpg',
      'images/train/a.jpg',
      'images/train/b.jpg',
    ]);
    const b = plan.images.find((i) => i.path.endsWith('/b.jpg'))!;
    // Never silently turned into a box.
    expect(b.labels).toEqual(images[1]!.labels);
    expect(b.bytes).toEqual(jpeg(2));
    const a = plan.images.find((i) => i.path.endsWith('/a.jpg'))!;
    expect(a.labels.polygons).toHaveLength(2);
    expect(a.labels.boxes).toEqual([]);
  });

  it("writes a user's numbers exactly, also past the edge, and reads them back unchanged", () => {
    const lines = '0 0.9500005 0.5 0.1000003 0.3\n1 0.0300001 0.6 0.07 0.25\n';
    const plan = importYolo(
      zipSync({
        'data.yaml': strToU8('names: [card, corner]\n'),
        'images/train/a.jpg': jpeg(1),
        'labels/train/a.txt': strToU8(lines),
      }),
    );
    const image = { ...images[0]!, labels: plan.images[0]!.labels };
    const out = exportYolo({
      name: 'E',
      task: 'detect',
      classes: ['card', 'corner'],
      images: [image],
    });
    expect(strFromU8(unzipSync(out.bytes)['labels/train/a.txt']!)).toBe(lines);
    expect(importYolo(out.bytes).images[0]!.labels).toEqual(image.labels);
  });

  it('detect: boxes come back equal; no label file for an unlabeled image, none empty', () => {
    const out = exportYolo({
      name: 'Cards',
      task: 'detect',
      classes: ['card', 'corner'],
      images: images.slice(0, 1).concat(images[2]!),
    });
    expect(out.warnings).toEqual([]);
    const files = unzipSync(out.bytes);
    expect(Object.keys(files).filter((p) => p.startsWith('labels/'))).toEqual([
      'labels/train/a.txt',
    ]);
    for (const [path, bytes] of Object.entries(files)) {
      if (path.startsWith('labels/')) expect(strFromU8(bytes).trim()).not.toBe('');
    }
    const plan = importYolo(out.bytes);
    const a = plan.images.find((i) => i.path === 'images/train/a.jpg')!;
    a.labels.boxes.forEach((box, i) => {
      const want = images[0]!.labels.boxes[i]!;
      for (const k of ['x', 'y', 'w', 'h'] as const) expect(box[k]).toBeCloseTo(want[k], 6);
      expect(box.classIndex).toBe(want.classIndex);
    });
    expect(plan.images.find((i) => i.path.includes('cccc'))!.labels).toEqual(labels({}));
  });

  it('warns before writing polygons into a detect zip and image classes anywhere', () => {
    const out = exportYolo({
      name: 'x',
      task: 'detect',
      classes: ['card', 'corner'],
      images: [images[1]!, { ...images[2]!, labels: labels({ imageClass: 0 }) }],
    });
    expect(out.warnings).toEqual([
      '1 polygon is written as their bounding boxes (YOLO detect holds boxes only).',
      '1 image-level class is left out (YOLO detect has no image classes; export ImageFolder for those).',
    ]);
  });
});

describe('YOLO import of bad input', () => {
  const zip = (files: Record<string, string | Uint8Array>) => {
    const z: Zippable = {};
    for (const [k, v] of Object.entries(files)) z[k] = typeof v === 'string' ? strToU8(v) : v;
    return zipSync(z);
  };

  it('skips out-of-range lines and labels for missing images, naming each', () => {
    const plan = importYolo(
      zip({
        'data.yaml': 'names: [card]\n',
        'images/train/a.jpg': jpeg(1),
        'images/train/notes.gif': 'GIF89a',
        'labels/train/a.txt':
          '0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n0 1.5 0.5 0.2 0.2\n0 0.1 0.2\n',
        'labels/train/ghost.txt': '0 0.5 0.5 0.2 0.2\n',
      }),
    );
    expect(plan.images).toHaveLength(1);
    expect(plan.images[0]!.labels.boxes).toHaveLength(1);
    expect(plan.skipped).toEqual([
      'images/train/notes.gif: not a JPEG, PNG or WebP image (GIF)',
      'labels/train/ghost.txt: labels for an image that is not in the zip',
      'labels/train/a.txt line 2: class 3 is out of range (data.yaml names 1 classes, 0 to 0)',
      'labels/train/a.txt line 3: the box reaches further past the image edge than Ultralytics accepts (1% of the image), and nothing of it is inside the image',
      'labels/train/a.txt line 4: 2 coordinates (a box has 4, a polygon an even number from 6)',
    ]);
  });

  it('keeps labels past the edge as given and reports the ones clipped for Ultralytics', () => {
    const plan = importYolo(
      zip({
        'data.yaml': 'names: [card]\n',
        'images/train/a.jpg': jpeg(1),
        'labels/train/a.txt':
          '0 0.9500005 0.5 0.1000003 0.3\n0 1.02 0.5 0.1 0.1\n0 -0.005 0.2 0.5 0.2 0.5 0.8\n',
      }),
    );
    const { boxes, polygons } = plan.images[0]!.labels;
    // The user's numbers exactly: the corner the contract stores, and its size as written.
    expect(boxes[0]).toEqual({
      classIndex: 0,
      x: 0.9500005 - 0.1000003 / 2,
      y: 0.35,
      w: 0.1000003,
      h: 0.3,
    });
    expect(boxes[0]!.x + boxes[0]!.w / 2).toBe(0.9500005);
    expect(boxes[1]!.x + boxes[1]!.w).toBe(1); // clipped: it reached 1.07
    expect(polygons[0]!.points[0]).toEqual([-0.005, 0.2]);
    expect(plan.skipped).toEqual([]);
    expect(plan.changed).toEqual([
      'labels/train/a.txt line 2: the box reaches further past the image edge than Ultralytics accepts (1% of the image); clipped to the image',
    ]);
  });

  it('refuses a zip without data.yaml, a truncated zip, and paths that climb out', () => {
    expect(() => importYolo(zip({ 'images/train/a.jpg': jpeg(1) }))).toThrow('no data.yaml');
    const good = zip({ 'data.yaml': 'names: [card]', 'images/train/a.jpg': jpeg(1) });
    expect(() => importYolo(good.slice(0, good.length - 30))).toThrow('not a readable zip');
    expect(() => importYolo(zip({ 'data.yaml': 'names: [a]', '../evil.jpg': jpeg(1) }))).toThrow(
      'outside its folder',
    );
  });
});

/** The real Ultralytics layout, when the shared sample datasets are on this machine. */
describe.each([
  ['coco8-detect', 'detect'],
  ['coco8-seg', 'segment'],
])('the real %s layout', (name, task) => {
  const root = join(SHARED_DATASETS, name);
  it.skipIf(!existsSync(root))('imports every image and label line', () => {
    const files: Zippable = {};
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else files[relative(root, path)] = readFileSync(path);
      }
    };
    walk(root);
    const plan = importYolo(zipSync(files));
    expect(plan.classes).toHaveLength(80);
    expect(plan.classes[79]).toBe('toothbrush');
    expect(plan.task).toBe(task);
    expect(plan.images).toHaveLength(8);
    expect(plan.skipped).toEqual([]);
    expect(plan.changed).toEqual([]);
    const lines = Object.entries(files)
      .filter(([p]) => p.endsWith('.txt') && p.includes('labels/'))
      .reduce(
        (n, [, b]) =>
          n +
          strFromU8(b as Uint8Array)
            .trim()
            .split('\n')
            .filter(Boolean).length,
        0,
      );
    const shapes = plan.images.reduce(
      (n, i) => n + i.labels.boxes.length + i.labels.polygons.length,
      0,
    );
    expect(shapes).toBe(lines);
  });
});

describe('parseDataYaml', () => {
  it('reads names as a map, a block list or a flow list', () => {
    expect(parseDataYaml('names:\n  0: person\n  1: "traffic light"\n').names).toEqual([
      'person',
      'traffic light',
    ]);
    expect(parseDataYaml('names:\n  - card\n  - back # comment\n').names).toEqual(['card', 'back']);
    expect(parseDataYaml('nc: 2\nnames: [card, back]\n').names).toEqual(['card', 'back']);
    expect(() => parseDataYaml('names:\n  0: a\n  2: c\n')).toThrow('skip number 1');
  });
});
