/**
 * Hand-made cases; the expected numbers are what Ultralytics 8.4's own functions answer for the
 * same inputs (ap_per_class, compute_ap, box_iou + match_predictions), so drift shows here.
 */
import { describe, expect, it } from 'vitest';
import { apPerClass, computeAp } from './ap-per-class';
import { createDetectionEvaluator } from './detection-evaluator';
import { boxIou, matchPredictions, type Box } from './match-predictions';
import { interp, smooth } from './numeric';

const bits = (row: number[]) => row.map(Boolean);

describe('numpy helpers', () => {
  it('interp treats repeated x values as a step and the last x exactly', () => {
    expect(interp(0.5, [0, 0.5, 0.5, 1], [1, 0.8, 0.4, 0])).toBe(0.4);
    expect(interp(1, [0, 1, 1], [1, 1, 0])).toBe(0);
    expect(interp(-1, [0, 1], [5, 6], 0)).toBe(0);
  });

  it('smooth averages over round(n*f*2)//2+1 taps with repeated edges', () => {
    expect(Array.from(smooth([0, 0, 3, 0, 0], 0.4))).toEqual([0, 1, 1, 1, 0]);
  });
});

describe('computeAp', () => {
  it('gives 0.995 for a perfect curve, as Ultralytics does (101 points, last at 0)', () => {
    expect(computeAp([1], [1])).toBeCloseTo(0.995, 12);
  });
});

describe('matchPredictions', () => {
  const targets: { box: Box; classIndex: number }[] = [
    { box: [0, 0, 10, 10], classIndex: 0 },
    { box: [20, 20, 30, 30], classIndex: 0 },
  ];
  const predictions: { box: Box; classIndex: number }[] = [
    { box: [0, 0, 10, 9], classIndex: 0 },
    { box: [1, 0, 10, 10], classIndex: 0 },
    { box: [20, 20, 30, 26], classIndex: 0 },
  ];

  it('computes IoU in float32 like box_iou', () => {
    expect(boxIou(targets[0]!.box, predictions[0]!.box)).toBe(Math.fround(0.8999999761581421));
  });

  it('lets each target be claimed once per threshold, best confidence first', () => {
    expect(matchPredictions(predictions, targets).map((r) => r.map(Number))).toEqual([
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('never matches another class', () => {
    const other = predictions.map((p) => ({ ...p, classIndex: 1 }));
    expect(matchPredictions(other, targets).flat().some(Boolean)).toBe(false);
  });
});

describe('apPerClass', () => {
  it('equals Ultralytics on a two-class case', () => {
    const r = apPerClass(
      [
        bits([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]),
        bits(Array(10).fill(0)),
        bits(Array(10).fill(1)),
        bits([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
        bits(Array(10).fill(0)),
        bits([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
      ],
      [0.9, 0.8, 0.7, 0.6, 0.3, 0.2],
      [0, 0, 1, 0, 1, 1],
      [0, 0, 0, 1, 1],
    );
    expect(r.classes).toEqual([0, 1]);
    expect(r.precision[0]).toBeCloseTo(2 / 3, 9);
    expect(r.precision[1]).toBeCloseTo(2 / 3, 9);
    expect(r.recall[0]).toBeCloseTo(2 / 3, 9);
    expect(r.recall[1]).toBeCloseTo(1, 9);
    const expected = [
      [0.555, 0.555, 0.335, 0.335, 0.335, 0, 0, 0, 0, 0],
      [...Array<number>(8).fill(0.8283333333333331), 0.495, 0.495],
    ];
    r.ap.forEach((row, k) => row.forEach((v, t) => expect(v).toBeCloseTo(expected[k]![t]!, 9)));
  });
});

describe('createDetectionEvaluator', () => {
  it('reports 0.995 mAP for perfect predictions and ignores classes without labels', () => {
    const evaluator = createDetectionEvaluator();
    evaluator.add(
      [
        { box: [0, 0, 10, 10], classIndex: 0, confidence: 0.9 },
        { box: [50, 50, 60, 60], classIndex: 2, confidence: 0.1 },
      ],
      [{ box: [0, 0, 10, 10], classIndex: 0 }],
    );
    const m = evaluator.result();
    expect(m).toMatchObject({ precision: 1, recall: 1, images: 1 });
    expect(m.map50).toBeCloseTo(0.995, 9);
    expect(m.map).toBeCloseTo(0.995, 9);
    expect(m.perClass.map((c) => c.classIndex)).toEqual([0]);
  });

  it('counts a missed object against recall', () => {
    const evaluator = createDetectionEvaluator();
    evaluator.add(
      [{ box: [0, 0, 10, 10], classIndex: 0, confidence: 0.9 }],
      [
        { box: [0, 0, 10, 10], classIndex: 0 },
        { box: [40, 40, 50, 50], classIndex: 0 },
      ],
    );
    expect(evaluator.result().recall).toBeCloseTo(0.5, 9);
  });
});
