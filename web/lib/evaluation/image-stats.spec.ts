/**
 * The per-picture records the worker answers and how the page adds them up. Expected numbers
 * are Ultralytics 8.4.190's for the same inputs (metrics.mask_iou, ClassifyMetrics.process).
 */
import { describe, expect, it } from 'vitest';
import { letterboxTransform } from '$lib/inference/preprocess';
import { evalLabels } from './dataset-evaluation';
import { createFold } from './evaluation-fold';
import { maskIou, segmentOutlines, segmentStats } from './image-stats';

describe('maskIou', () => {
  it('is intersection over union + 1e-7 in float32, 0 for two empty masks', () => {
    const a = Uint8Array.from([1, 1, 1, 0]);
    const b = Uint8Array.from([0, 1, 1, 1]);
    const none = new Uint8Array(4);
    expect(maskIou([a, none], [b, none])).toEqual([
      [Math.fround(2 / Math.fround(4 + Math.fround(1e-7))), 0],
      [0, 0],
    ]);
  });
});

describe('segment labels', () => {
  it('turn every box into its four corners, clamped to the picture', () => {
    const outlines = segmentOutlines({
      boxes: [{ classIndex: 1, x: -0.1, y: 0.2, w: 0.5, h: 0.3 }],
      polygons: [
        {
          classIndex: 0,
          points: [
            [0.1, 0.1],
            [0.2, 0.1],
            [0.2, 0.2],
          ],
        },
      ],
    });
    expect(outlines[1]).toEqual({
      classIndex: 1,
      points: [
        [0, 0.2],
        [0.4, 0.2],
        [0.4, 0.5],
        [0, 0.5],
      ],
    });
  });

  it('score a mask that covers its label as a hit at every threshold, a class apart never', () => {
    // 64x64 picture into 64: no resize, no padding; masks are 16x16.
    const t = letterboxTransform(64, 64, 64, 64, 'val');
    const square: [number, number][] = [
      [0.25, 0.25],
      [0.75, 0.25],
      [0.75, 0.75],
      [0.25, 0.75],
    ];
    const mask = new Uint8Array(16 * 16);
    for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) mask[y * 16 + x] = 1;
    const labels = { boxes: [], polygons: [{ classIndex: 0, points: square }] };
    const hit = { box: [16, 16, 48, 48] as const, classIndex: 0, confidence: 0.9 };
    const stats = segmentStats([hit, { ...hit, classIndex: 1 }], [mask, mask], labels, 64, 64, t);
    if (stats.task !== 'segment') throw new Error('expected segment stats');
    expect(stats.tp[0]!.every(Boolean)).toBe(true);
    expect(stats.tpMask![0]!.filter(Boolean).length).toBeGreaterThanOrEqual(8);
    expect(stats.tpMask![1]!.some(Boolean)).toBe(false);
  });
});

describe('evalLabels', () => {
  const toModel = (i: number) => [1, undefined, 0][i];
  const labels = {
    boxes: [
      { classIndex: 0, x: 0, y: 0, w: 0.5, h: 0.5 },
      { classIndex: 1, x: 0, y: 0, w: 0.5, h: 0.5 },
    ],
    polygons: [
      {
        classIndex: 2,
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
        ] as [number, number][],
      },
    ],
    imageClass: 2,
  };

  it("keeps a detect model's boxes and outlines in its classes, not the image class", () => {
    expect(evalLabels(labels, toModel, 'detect')).toEqual({
      boxes: [{ classIndex: 1, x: 0, y: 0, w: 0.5, h: 0.5 }],
      polygons: [{ classIndex: 0, points: labels.polygons[0]!.points }],
    });
  });

  it("keeps a classify model's image class only", () => {
    expect(evalLabels(labels, toModel, 'classify')).toEqual({
      boxes: [],
      polygons: [],
      imageClass: 0,
    });
  });
});

describe('createFold', () => {
  it('gives top-1 and top-5 accuracy over labeled photos only', () => {
    const fold = createFold();
    fold.add({ task: 'classify', truth: 2, ranked: [2, 0, 1] });
    fold.add({ task: 'classify', truth: 1, ranked: [0, 3, 4, 5, 1, 2] });
    fold.add({ task: 'classify', truth: 2, ranked: [0, 1, 3, 4, 5, 2] });
    fold.add({ task: 'classify', ranked: [0, 1] });
    expect(fold.result()).toEqual({ task: 'classify', images: 3, top1: 1 / 3, top5: 2 / 3 });
  });

  it('adds segment records to box and mask metrics apart', () => {
    const fold = createFold();
    const all = Array<boolean>(10).fill(true);
    const none = Array<boolean>(10).fill(false);
    fold.add({
      task: 'segment',
      conf: [0.9],
      predClass: [0],
      tp: [all],
      tpMask: [none],
      targetClass: [0],
    });
    const r = fold.result();
    if (r.task !== 'segment') throw new Error('expected segment');
    expect(r.metrics.map).toBeCloseTo(0.995, 9);
    expect(r.masks.map).toBe(0);
  });
});
