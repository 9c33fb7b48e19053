import { describe, expect, it } from 'vitest';
import { decodeAnchors, detectLayout, postprocessDetect, resolveOptions } from './postprocess';
import { letterboxTransform } from './preprocess';
import type { Float32Tensor } from './types';

/** [1, 4 + nc, N] from one row per anchor: cx, cy, w, h, score per class. */
function anchorsTensor(anchors: number[][]): Float32Tensor {
  const channels = anchors[0]!.length;
  const n = anchors.length;
  const data = new Float32Array(channels * n);
  anchors.forEach((row, i) => row.forEach((v, c) => (data[c * n + i] = v)));
  return { data, dims: [1, channels, n] };
}

// A 100x50 photo letterboxed into 64: scale 0.64, 64x32 placed 16 px from the top.
const transform = letterboxTransform(100, 50, 64);
const names = ['cat', 'dog'];

describe('postprocessDetect (anchors layout)', () => {
  const output = anchorsTensor([
    [32, 32, 32, 16, 0.9, 0.1], // cat, maps to x 25..75, y 12.5..37.5
    [33, 32, 32, 16, 0.8, 0.1], // same cat, lower score: suppressed by NMS
    [32, 32, 32, 16, 0.2, 0.7], // same place but a dog: kept (class-aware)
    [10, 30, 8, 8, 0.25, 0.05], // exactly conf: dropped (strictly above is kept)
    [60, 20, 20, 20, 0.5, 0.3], // cat over the right and top edges: clipped
  ]);

  it('decodes, filters, suppresses and maps back to source pixels', () => {
    const detections = postprocessDetect(output, names, transform);
    expect(detections).toHaveLength(3);
    const [first, second, third] = detections;
    expect(first).toMatchObject({ classIndex: 0, className: 'cat' });
    expect(first!.confidence).toBeCloseTo(0.9, 6);
    expect([first!.x, first!.y, first!.w, first!.h]).toEqual([25, 12.5, 50, 25]);
    expect(second).toMatchObject({ classIndex: 1, className: 'dog', x: 25, y: 12.5, w: 50, h: 25 });
    expect(second!.confidence).toBeCloseTo(0.7, 6);
    expect(third!.classIndex).toBe(0);
    expect(third!.x).toBeCloseTo(50 / 0.64, 9);
    expect(third!.y).toBe(0);
    expect(third!.x + third!.w).toBe(100);
    expect(third!.h).toBeCloseTo((30 - 16) / 0.64, 9);
  });

  it("leaves boxes unclipped in 'val' mode, as the validator matches them", () => {
    const val = letterboxTransform(100, 50, 64, 64, 'val');
    const third = postprocessDetect(output, names, val, { mode: 'val' })[2]!;
    // The box runs from tensor x 50 to 70 and y 10 to 30; the image ends at x 64, starts at y 16.
    expect(third.x + third.w).toBeCloseTo(70 / 0.64, 9);
    expect(third.y).toBeCloseTo((10 - 16) / 0.64, 9);
  });

  it('honours conf, iou and maxDet', () => {
    expect(postprocessDetect(output, names, transform, { conf: 0.6 })).toHaveLength(2);
    expect(postprocessDetect(output, names, transform, { iou: 0.99 })).toHaveLength(4);
    expect(postprocessDetect(output, names, transform, { maxDet: 1 })).toHaveLength(1);
  });

  it('takes the best class per anchor', () => {
    const [c] = decodeAnchors(anchorsTensor([[10, 10, 4, 4, 0.3, 0.6]]), 2, 0.25);
    expect(c).toMatchObject({ classIndex: 1, x1: 8, y1: 8, x2: 12, y2: 12 });
  });
});

describe('postprocessDetect (end-to-end layout)', () => {
  it('reads x1 y1 x2 y2 score class rows without NMS', () => {
    const rows = [16, 24, 48, 40, 0.9, 1, 0, 0, 1, 1, 0.1, 0];
    const output = { data: Float32Array.from(rows), dims: [1, 2, 6] };
    const detections = postprocessDetect(output, ['a', 'b', 'c'], transform);
    expect(detections).toHaveLength(1);
    expect(detections[0]).toMatchObject({ className: 'b', x: 25, y: 12.5, w: 50, h: 25 });
  });
});

describe('detectLayout', () => {
  it('tells the layouts apart, even when anchors equal channels', () => {
    expect(detectLayout([1, 84, 84], 80)).toBe('anchors'); // yolo11n at imgsz 64
    expect(detectLayout([1, 6, 8400], 2)).toBe('anchors');
    expect(detectLayout([1, 300, 6], 80)).toBe('end-to-end');
  });

  it('explains a class-count mismatch', () => {
    expect(() => detectLayout([1, 84, 8400], 2)).toThrow(/expected \[1, 6, N\].*classNames/);
  });
});

describe('resolveOptions', () => {
  it('uses Ultralytics defaults, also for explicit undefined', () => {
    expect(resolveOptions({ conf: undefined })).toEqual({
      conf: 0.25,
      iou: 0.7,
      maxDet: 300,
      multiLabel: false,
      mode: 'predict',
    });
  });

  it('rejects out-of-range values', () => {
    expect(() => resolveOptions({ conf: 1.5 })).toThrow(/conf/);
    expect(() => resolveOptions({ maxDet: 0 })).toThrow(/maxDet/);
    expect(() => resolveOptions({ mode: 'train' as 'val' })).toThrow(/mode/);
  });
});

describe('multi-label decoding (as Ultralytics validates)', () => {
  it('gives one candidate per class above conf for an anchor', () => {
    // One anchor, 2 classes: scores 0.6 and 0.3.
    const output = { data: Float32Array.from([10, 10, 4, 4, 0.6, 0.3]), dims: [1, 6, 1] };
    expect(decodeAnchors(output, 2, 0.25)).toHaveLength(1);
    const both = decodeAnchors(output, 2, 0.25, true);
    expect(both.map((c) => [c.classIndex, Number(c.score.toFixed(2))])).toEqual([
      [0, 0.6],
      [1, 0.3],
    ]);
  });
});
