import { describe, expect, it } from 'vitest';
import { letterboxTransform } from './preprocess';
import { keptCandidates, resolveOptions } from './postprocess';
import { postprocessSegment, prototypeMasks } from './segment-postprocess';

/**
 * A 16x16 input (prototypes 4x4) with two anchors. Prototype 0 is +1 in the left half and -1
 * in the right half; the other 31 prototypes are zero.
 */
function outputs(anchors: { box: number[]; score: number; coef: number }[]) {
  const nc = 1;
  const n = anchors.length;
  const out = new Float32Array((4 + nc + 32) * n);
  anchors.forEach((a, i) => {
    a.box.forEach((v, k) => (out[k * n + i] = v));
    out[4 * n + i] = a.score;
    out[5 * n + i] = a.coef;
  });
  const protos = new Float32Array(32 * 16);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) protos[y * 4 + x] = x < 2 ? 1 : -1;
  return [
    { data: out, dims: [1, 4 + nc + 32, n] },
    { data: protos, dims: [1, 32, 4, 4] },
  ] as const;
}

describe('postprocessSegment', () => {
  const transform = letterboxTransform(16, 16, 16);

  it('thresholds coefficients x prototypes at 0 and crops to the box (x1 <= x < x2)', () => {
    const [out, protos] = outputs([{ box: [8, 8, 12, 12], score: 0.9, coef: 1 }]);
    const [s] = postprocessSegment(out, protos, ['card'], transform);
    expect(s).toBeDefined();
    // Box 2..14 both ways; the left half (x < 8) is positive.
    const on: number[] = [];
    s!.mask.forEach((v, i) => v && on.push(i));
    expect(on.every((i) => i % 16 >= 2 && i % 16 < 8 && i >> 4 >= 2 && i >> 4 < 14)).toBe(true);
    expect(on).toHaveLength(6 * 12);
    expect(s!.polygon.points.length).toBeGreaterThanOrEqual(4);
  });

  it('drops a detection whose mask is empty inside its box', () => {
    // Box entirely in the right half with a positive coefficient: all scores negative there.
    const [out, protos] = outputs([
      { box: [13, 8, 4, 4], score: 0.9, coef: 1 },
      { box: [4, 8, 4, 4], score: 0.8, coef: 1 },
    ]);
    const kept = postprocessSegment(out, protos, ['card'], transform);
    expect(kept.map((s) => s.confidence)).toEqual([expect.closeTo(0.8, 6) as number]);
  });

  it('keeps the mask over the un-padded part only', () => {
    const wide = letterboxTransform(32, 16, 16); // 16x8 content, 4 px bands top and bottom
    const [out, protos] = outputs([{ box: [4, 8, 8, 16], score: 0.9, coef: 1 }]);
    const [s] = postprocessSegment(out, protos, ['card'], wide);
    expect([s!.maskWidth, s!.maskHeight]).toEqual([16, 8]);
    expect(s!.mask.reduce((a, v) => a + v, 0)).toBe(8 * 8);
  });
});

describe('prototypeMasks (what model.val scores)', () => {
  it('stays at the prototypes size, crops to the box / 4 and keeps an empty mask', () => {
    const [out, protos] = outputs([
      { box: [8, 8, 12, 12], score: 0.9, coef: 1 }, // box 2..14: columns 0.5..3.5 at 4x4
      { box: [13, 8, 4, 4], score: 0.8, coef: 1 }, // right half only: empty
    ]);
    const kept = keptCandidates(out, 1, resolveOptions({ mode: 'val' }), 32);
    const { masks, width, height } = prototypeMasks(out, protos, 1, kept, 16, 16);
    expect([width, height, masks.length]).toEqual([4, 4, 2]);
    // Columns and rows >= 0.5 and < 3.5 (1 to 3); positive only left of 2: column 1.
    expect(Array.from(masks[0]!)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
    expect(masks[1]!.every((v) => v === 0)).toBe(true);
  });
});
