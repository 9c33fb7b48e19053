import { describe, expect, it } from 'vitest';
import { iou, nms, type Candidate } from './nms';

const box = (
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  score: number,
  classIndex = 0,
): Candidate => ({
  x1,
  y1,
  x2,
  y2,
  score,
  classIndex,
});

describe('iou', () => {
  it('is intersection over union', () => {
    expect(iou(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1))).toBeCloseTo(50 / 150);
    expect(iou(box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1))).toBe(0);
  });
});

describe('nms', () => {
  it('suppresses an overlapping box of the same class and keeps the better one', () => {
    const kept = nms([box(1, 0, 11, 10, 0.8), box(0, 0, 10, 10, 0.9)], 0.7, 300);
    expect(kept.map((b) => b.score)).toEqual([0.9]);
  });

  it('keeps overlapping boxes of different classes', () => {
    const kept = nms([box(0, 0, 10, 10, 0.9, 0), box(0, 0, 10, 10, 0.8, 1)], 0.7, 300);
    expect(kept).toHaveLength(2);
  });

  it('keeps a box whose IoU is exactly the threshold (suppresses only above)', () => {
    // IoU exactly 0.5: two 12x10 boxes sharing 8 columns -> 80 / 160.
    const a = box(0, 0, 12, 10, 0.9);
    const b = box(4, 0, 16, 10, 0.8);
    expect(iou(a, b)).toBe(0.5);
    expect(nms([a, b], 0.5, 300)).toHaveLength(2);
    expect(nms([a, b], 0.49, 300)).toHaveLength(1);
  });

  it('stops at maxDet, best first', () => {
    const boxes = [0.1, 0.5, 0.3, 0.9].map((s, i) => box(i * 20, 0, i * 20 + 10, 10, s));
    expect(nms(boxes, 0.7, 2).map((b) => b.score)).toEqual([0.9, 0.5]);
  });

  it('does not let a suppressed box suppress others', () => {
    // b overlaps a and c; a suppresses b, so c survives although b would have removed it.
    const a = box(0, 0, 10, 10, 0.9);
    const b = box(3, 0, 13, 10, 0.8);
    const c = box(6, 0, 16, 10, 0.7);
    expect(nms([c, b, a], 0.4, 300).map((x) => x.score)).toEqual([0.9, 0.7]);
  });
});
