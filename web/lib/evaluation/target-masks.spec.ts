/**
 * The browser's label rasterisation against OpenCV's cv2.fillPoly and Ultralytics' own
 * validator steps (fixtures/make_target_masks.py wrote what they answered).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { letterboxTransform } from '$lib/inference/preprocess';
import { fillPoly } from './fill-poly';
import { resampleSegment, targetMasks } from './target-masks';

interface Fixture {
  fillPoly: { width: number; height: number; points: [number, number][]; mask: string }[];
  targets: {
    sourceWidth: number;
    sourceHeight: number;
    imgsz: number;
    loadWidth: number;
    loadHeight: number;
    padX: number;
    padY: number;
    polygons: [number, number][][];
    masks: string[];
  }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/target-masks.json', import.meta.url), 'utf8'),
) as Fixture;
const bits = (mask: Uint8Array) => Array.from(mask).join('');

describe('fillPoly', () => {
  it.each(fixture.fillPoly.map((c, i) => ({ ...c, i })))(
    'fills polygon $i as cv2.fillPoly does',
    ({ width, height, points, mask }) => {
      const ours = new Uint8Array(width * height);
      fillPoly(ours, width, height, points);
      expect(bits(ours)).toBe(mask);
    },
  );
});

describe('resampleSegment', () => {
  it('keeps the vertices and reaches 1000 points', () => {
    const square: [number, number][] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    const points = resampleSegment(square);
    expect(points).toHaveLength(1000);
    expect(points[0]).toEqual([0, 0]);
    expect(points[999]).toEqual([0, 0]);
    for (const v of square) expect(points).toContainEqual(v);
  });
});

describe('targetMasks', () => {
  it.each(fixture.targets.map((c, i) => ({ ...c, i })))(
    'equals the validator on picture $i ($sourceWidth x $sourceHeight into $imgsz)',
    (c) => {
      const t = letterboxTransform(c.sourceWidth, c.sourceHeight, c.imgsz, c.imgsz, 'val');
      expect([t.loadWidth, t.loadHeight, t.padX, t.padY]).toEqual([
        c.loadWidth,
        c.loadHeight,
        c.padX,
        c.padY,
      ]);
      const masks = targetMasks(c.polygons, t);
      expect(masks.map(bits)).toEqual(c.masks);
    },
  );
});
