import { describe, expect, it } from 'vitest';
import { Box } from '$contract';
import { boxFromDrag, drawOrder, isTinyDrag, toNormalised } from './geometry';

const rect = { left: 10, top: 20, width: 390, height: 260 };

describe('toNormalised', () => {
  it('maps client pixels to fractions of the image, clamped into it', () => {
    expect(toNormalised(10 + 195, 20 + 65, rect)).toEqual({ x: 0.5, y: 0.25 });
    expect(toNormalised(-50, 1000, rect)).toEqual({ x: 0, y: 1 });
  });

  it('gives the origin for an image that has no size yet', () => {
    expect(toNormalised(5, 5, { ...rect, width: 0 })).toEqual({ x: 0, y: 0 });
  });
});

describe('boxFromDrag', () => {
  it('anchors at the top-left whichever way the drag went', () => {
    expect(boxFromDrag({ x: 0.6, y: 0.8 }, { x: 0.2, y: 0.3 }, 2)).toEqual({
      classIndex: 2,
      x: 0.2,
      y: 0.3,
      w: expect.closeTo(0.4, 12),
      h: expect.closeTo(0.5, 12),
    });
  });

  it('always yields a box the contract accepts, even at the edges', () => {
    for (const [a, b] of [
      [0.7, 1],
      [0.1, 0.3],
      [0, 1],
      [1 / 3, 1],
    ] as const) {
      const box = boxFromDrag({ x: a, y: a }, { x: b, y: b }, 0);
      expect(Box.safeParse(box).success).toBe(true);
    }
  });
});

describe('isTinyDrag', () => {
  it('treats a drag under 4 screen pixels in either direction as a tap', () => {
    expect(isTinyDrag({ x: 0, y: 0 }, { x: 3 / 390, y: 0.5 }, 390, 260)).toBe(true);
    expect(isTinyDrag({ x: 0, y: 0 }, { x: 0.5, y: 3 / 260 }, 390, 260)).toBe(true);
    expect(isTinyDrag({ x: 0, y: 0 }, { x: 4 / 390, y: 4 / 260 }, 390, 260)).toBe(false);
  });
});

describe('drawOrder', () => {
  it('draws larger boxes first so smaller ones stay on top and tappable', () => {
    const big = { classIndex: 0, x: 0, y: 0, w: 1, h: 1 };
    const small = { classIndex: 0, x: 0.1, y: 0.1, w: 0.1, h: 0.1 };
    expect(drawOrder([small, big, small])).toEqual([1, 0, 2]);
  });
});
