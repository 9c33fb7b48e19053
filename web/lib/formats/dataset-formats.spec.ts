// Golden round trips for every export format: export, read the file back, and the labels are
// the ones exported, as far as the format holds them; what it cannot hold is warned about, never
// dropped or converted silently.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { Task } from '$contract';
import type { ImageLabels } from '$lib/db/database';
import {
  defaultFormat,
  exportDataset,
  exportWarnings,
  FORMATS,
  readDatasetFile,
  type FormatId,
} from './dataset-formats';
import { FormatError, type ExportImage, type ImportPlan } from './format-types';

const jpeg = (n: number) => new Uint8Array([0xff, 0xd8, 0xff, n]);
const labels = (l: Partial<ImageLabels>): ImageLabels => ({
  boxes: [],
  polygons: [],
  imageClass: null,
  ...l,
});
const classes = ['card', 'corner', 'back'];
const triangle = {
  classIndex: 2,
  points: [
    [0.1, 0.1],
    [0.9, 0.15],
    [0.5, 0.8],
  ] as [number, number][],
};
const box = { classIndex: 1, x: 0.25, y: 0.125, w: 0.5, h: 0.375 };

function image(n: number, l: Partial<ImageLabels>, name = `img${n}.jpg`): ExportImage {
  return {
    fileName: name,
    sha256: String(n).repeat(64).slice(0, 64),
    width: 640,
    height: 480,
    bytes: jpeg(n),
    labels: labels(l),
  };
}

const detectImages = [image(1, { boxes: [box, { ...box, classIndex: 0 }] }), image(2, {})];
const segmentImages = [image(3, { polygons: [triangle, { ...triangle, classIndex: 0 }] })];
const classifyImages = [
  image(4, { imageClass: 2 }),
  image(5, { imageClass: 0 }),
  image(6, { imageClass: 2 }, 'img4.jpg'), // same name, other content
];

/** The labels of each image read back, by the bytes they came with. */
function labelsByBytes(plan: ImportPlan): Map<number, ImageLabels> {
  return new Map(plan.images.map((i) => [i.bytes![3]!, i.labels]));
}

function expectClose(actual: ImageLabels, expected: ImageLabels) {
  expect(actual.imageClass).toBe(expected.imageClass);
  expect(actual.boxes).toHaveLength(expected.boxes.length);
  expect(actual.polygons).toHaveLength(expected.polygons.length);
  actual.boxes.forEach((b, i) => {
    const want = expected.boxes[i]!;
    expect(b.classIndex).toBe(want.classIndex);
    for (const k of ['x', 'y', 'w', 'h'] as const) expect(b[k]).toBeCloseTo(want[k], 6);
  });
  actual.polygons.forEach((p, i) => {
    const want = expected.polygons[i]!;
    expect(p.classIndex).toBe(want.classIndex);
    expect(p.points.flat()).toEqual(want.points.flat().map((v) => expect.closeTo(v, 6)));
  });
}

function roundTrip(format: FormatId, task: Task, images: ExportImage[]) {
  const out = exportDataset(format, { name: 'Cards', task, classes, images });
  return { out, plan: readDatasetFile(out.bytes) };
}

describe.each<[FormatId, Task, ExportImage[]]>([
  ['yolo-detect', 'detect', detectImages],
  ['yolo-segment', 'segment', segmentImages],
  ['coco', 'detect', detectImages],
  ['coco', 'segment', segmentImages],
  ['imagefolder', 'classify', classifyImages],
])('%s export of a %s dataset, imported again', (format, task, images) => {
  it('gives the same classes, task, images and labels, with nothing skipped or warned', () => {
    const { out, plan } = roundTrip(format, task, images);
    expect(out.warnings).toEqual([]);
    expect(plan.skipped).toEqual([]);
    expect(plan.classes).toEqual(classes);
    expect(plan.task).toBe(task);
    expect(plan.images).toHaveLength(images.length);
    const back = labelsByBytes(plan);
    for (const im of images) expectClose(back.get(im.bytes[3]!)!, im.labels);
  });

  it('writes no empty label file for a labeled image', () => {
    const { out } = roundTrip(format, task, images);
    for (const [path, bytes] of Object.entries(unzipSync(out.bytes))) {
      if (/\.(txt|json)$/.test(path)) expect(strFromU8(bytes).trim(), path).not.toBe('');
    }
  });
});

describe('polygons are never silently turned into boxes', () => {
  it('COCO keeps polygons as segmentation with their bbox, boxes as bbox only', () => {
    const mixed = [image(7, { boxes: [box], polygons: [triangle] })];
    const { out, plan } = roundTrip('coco', 'segment', mixed);
    const json = JSON.parse(strFromU8(unzipSync(out.bytes)['annotations.json']!));
    // Golden: the exact COCO records, in pixels, categories numbered from 1.
    expect(json.categories.map((c: { id: number; name: string }) => [c.id, c.name])).toEqual([
      [1, 'card'],
      [2, 'corner'],
      [3, 'back'],
    ]);
    expect(json.images).toEqual([{ id: 1, file_name: 'img7.jpg', width: 640, height: 480 }]);
    expect(json.annotations).toEqual([
      {
        id: 1,
        image_id: 1,
        category_id: 2,
        bbox: [160, 60, 320, 180],
        segmentation: [],
        area: 57600,
        iscrowd: 0,
      },
      {
        id: 2,
        image_id: 1,
        category_id: 3,
        bbox: [64, 48, 512, 336],
        segmentation: [[64, 48, 576, 72, 320, 384]],
        area: 82944, // the triangle's area in square pixels
        iscrowd: 0,
      },
    ]);
    expectClose(plan.images[0]!.labels, mixed[0]!.labels);
  });

  it('a YOLO detect export of polygons says so before it is written', () => {
    expect(
      exportWarnings('yolo-detect', { task: 'segment', classes, images: segmentImages }),
    ).toEqual(['2 polygons are written as their bounding boxes (YOLO detect holds boxes only).']);
  });
});

describe('what a format cannot hold, said before export', () => {
  it('says review marks are left out rather than that every label is held', () => {
    const input = { task: 'detect' as Task, classes, images: detectImages };
    expect(exportWarnings('coco', input)).toEqual([]);
    expect(exportWarnings('coco', { ...input, reviewed: 2 })).toEqual([
      'Review marks are not exported: 2 photos are marked reviewed, and the mark stays on this device only (no export format holds it).',
    ]);
    expect(exportWarnings('yolo-detect', { ...input, reviewed: 1 })).toEqual([
      'Review marks are not exported: 1 photo is marked reviewed, and the mark stays on this device only (no export format holds it).',
    ]);
  });

  it('names the labels each format leaves out', () => {
    const all = [...detectImages, ...segmentImages, ...classifyImages];
    const input = { task: 'detect' as Task, classes, images: all };
    expect(exportWarnings('imagefolder', input)).toEqual([
      '3 images without an image class are left out (ImageFolder files every image under its class).',
      '4 boxes and polygons are left out (ImageFolder holds image classes only; export YOLO or COCO for those).',
    ]);
    expect(exportWarnings('coco', input)).toEqual([
      '3 image-level classes are left out (COCO detection JSON has no image classes; export ImageFolder for those).',
    ]);
    expect(exportWarnings('coco', { ...input, images: [] })).toEqual([
      'The dataset has no images yet.',
    ]);
  });

  it('offers a format that holds the task by default', () => {
    expect(defaultFormat('classify')).toBe('imagefolder');
    expect(defaultFormat('segment')).toBe('yolo-segment');
    expect(defaultFormat('detect')).toBe('yolo-detect');
    expect(FORMATS.map((f) => f.id)).toContain(defaultFormat('detect'));
  });
});

describe('ImageFolder', () => {
  it('keeps class order and empty classes through classes.txt', () => {
    const { plan } = roundTrip('imagefolder', 'classify', [image(8, { imageClass: 1 })]);
    expect(plan.classes).toEqual(classes);
    expect(plan.images[0]!.labels.imageClass).toBe(1);
  });

  it('reads an Ultralytics layout without classes.txt as sorted folder names', () => {
    const zip = zipSync({
      'train/dog/a.jpg': jpeg(1),
      'val/cat/b.jpg': jpeg(2),
      'train/readme.md': strToU8('hi'),
    });
    const plan = readDatasetFile(zip);
    expect(plan.classes).toEqual(['cat', 'dog']);
    expect(plan.images.map((i) => [i.path, i.labels.imageClass])).toEqual([
      ['train/dog/a.jpg', 1],
      ['val/cat/b.jpg', 0],
    ]);
    expect(plan.skipped).toEqual(['train/readme.md: not a JPEG, PNG or WebP image']);
  });
});

describe('bad files', () => {
  it('refuses what is not a dataset, saying why', () => {
    expect(() => readDatasetFile(new Uint8Array())).toThrow('empty');
    expect(() => readDatasetFile(strToU8('hello'))).toThrow('not a zip');
    const zip = zipSync({ 'notes.txt': strToU8('x') });
    expect(() => readDatasetFile(zip)).toThrow(FormatError);
    expect(() => readDatasetFile(zip)).toThrow('no data.yaml');
    const truncated = roundTrip('coco', 'detect', detectImages).out.bytes.slice(0, 40);
    expect(() => readDatasetFile(truncated)).toThrow('not a readable zip');
    expect(() => readDatasetFile(strToU8('{"images": 3}'))).toThrow('not COCO JSON');
  });

  it('skips COCO annotations it cannot place, naming each', () => {
    const coco = {
      images: [
        { id: 1, file_name: 'a.jpg', width: 100, height: 100 },
        { id: 2, file_name: 'gone.jpg', width: 100, height: 100 },
      ],
      categories: [{ id: 1, name: 'card' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 20, 20] },
        { id: 2, image_id: 1, category_id: 9, bbox: [10, 10, 20, 20] },
        { id: 3, image_id: 1, category_id: 1, bbox: [90, 90, 50, 50] },
        { id: 4, image_id: 1, category_id: 1, segmentation: { counts: [1], size: [1, 1] } },
        { id: 5, image_id: 7, category_id: 1, bbox: [1, 1, 1, 1] },
      ],
    };
    const zip = zipSync({
      'annotations.json': strToU8(JSON.stringify(coco)),
      'images/a.jpg': jpeg(1),
    });
    const plan = readDatasetFile(zip);
    expect(plan.images).toHaveLength(1);
    expect(plan.images[0]!.labels.boxes).toEqual([
      { classIndex: 0, x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
    ]);
    expect(plan.skipped).toEqual([
      '1 annotation for image id 7, which is not listed',
      'a.jpg annotation 2: category 9 is not listed',
      'a.jpg annotation 3: the box reaches outside the image',
      'a.jpg annotation 4: an RLE mask (crowd); only polygon outlines and boxes are read',
      'gone.jpg: listed in the JSON but not in the zip',
    ]);
  });
});
