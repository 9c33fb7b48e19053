import { describe, expect, it } from 'vitest';
import { Box } from '$contract';
import {
  boxFromDrag,
  contains,
  drawOrder,
  handlePoint,
  HANDLES,
  isTap,
  isTinyDrag,
  moveBox,
  resizeBox,
  sameBox,
  toNormalised,
} from './geometry';

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

const card = { classIndex: 1, x: 0.2, y: 0.3, w: 0.4, h: 0.2 };
const MIN = { w: 0.01, h: 0.02 };
const near = (box: { x: number; y: number; w: number; h: number; classIndex: number }) => ({
  classIndex: box.classIndex,
  x: expect.closeTo(box.x, 12),
  y: expect.closeTo(box.y, 12),
  w: expect.closeTo(box.w, 12),
  h: expect.closeTo(box.h, 12),
});

describe('isTap', () => {
  it('measures the distance travelled on screen, so a straight drag is no tap', () => {
    expect(isTap({ x: 0, y: 0 }, { x: 3 / 390, y: 0 }, 390, 260)).toBe(true);
    expect(isTap({ x: 0, y: 0 }, { x: 10 / 390, y: 0 }, 390, 260)).toBe(false);
    expect(isTap({ x: 0, y: 0 }, { x: 3 / 390, y: 3 / 260 }, 390, 260)).toBe(false);
  });
});

describe('moveBox', () => {
  it('shifts a box and keeps its size', () => {
    expect(moveBox(card, 0.1, -0.1)).toEqual(near({ ...card, x: 0.3, y: 0.2 }));
  });

  it('stops at the image edges on every side', () => {
    expect(moveBox(card, -1, -1)).toEqual({ ...card, x: 0, y: 0 });
    expect(moveBox(card, 5, 5)).toEqual(near({ ...card, x: 0.6, y: 0.8 }));
    expect(Box.safeParse(moveBox(card, 5, 5)).success).toBe(true);
  });
});

describe('resizeBox', () => {
  it('keeps the opposite corner where a corner handle is dragged', () => {
    // se dragged to (0.7, 0.6): the top-left (0.2, 0.3) stays.
    expect(resizeBox(card, 'se', { x: 0.7, y: 0.6 }, MIN)).toEqual(
      near({ ...card, w: 0.5, h: 0.3 }),
    );
    // nw dragged to (0.1, 0.1): the bottom-right (0.6, 0.5) stays.
    expect(resizeBox(card, 'nw', { x: 0.1, y: 0.1 }, MIN)).toEqual(
      near({ ...card, x: 0.1, y: 0.1, w: 0.5, h: 0.4 }),
    );
  });

  it('changes one axis only for an edge handle', () => {
    expect(resizeBox(card, 'e', { x: 0.9, y: 0.99 }, MIN)).toEqual(near({ ...card, w: 0.7 }));
    expect(resizeBox(card, 'n', { x: 0, y: 0.25 }, MIN)).toEqual(
      near({ ...card, y: 0.25, h: 0.25 }),
    );
  });

  it('leaves the other axis exactly as it was, to the last bit', () => {
    // (0.25000000000000006 + 0.5) - 0.25000000000000006 is 0.49999999999999994, not 0.5.
    const box = { classIndex: 0, x: 0.35, y: 0.25000000000000006, w: 0.35, h: 0.5 };
    const left = resizeBox(box, 'w', { x: 0.2, y: 0.9 }, MIN);
    expect([left.y, left.h]).toEqual([box.y, box.h]);
    const top = resizeBox(
      { ...box, x: box.y, y: box.x, w: box.h, h: box.w },
      'n',
      { x: 0, y: 0.1 },
      MIN,
    );
    expect([top.x, top.w]).toEqual([box.y, box.h]);
  });

  it('flips a box dragged past its opposite edge instead of going negative', () => {
    // The w edge dragged from 0.2 to 0.8, past the right edge at 0.6.
    expect(resizeBox(card, 'w', { x: 0.8, y: 0.4 }, MIN)).toEqual(
      near({ ...card, x: 0.6, w: 0.2 }),
    );
    // The se corner dragged above and left of the top-left corner.
    expect(resizeBox(card, 'se', { x: 0.1, y: 0.1 }, MIN)).toEqual(
      near({ ...card, x: 0.1, y: 0.1, w: 0.1, h: 0.2 }),
    );
  });

  it('keeps the dragged handle inside the image', () => {
    expect(resizeBox(card, 'se', { x: 1.4, y: 1.2 }, MIN)).toEqual(
      near({ ...card, w: 0.8, h: 0.7 }),
    );
    expect(resizeBox(card, 'nw', { x: -0.5, y: -0.5 }, MIN)).toEqual(
      near({ ...card, x: 0, y: 0, w: 0.6, h: 0.5 }),
    );
  });

  it('never goes below the minimum size, on the side the handle came from', () => {
    expect(resizeBox(card, 'e', { x: 0.2, y: 0.4 }, MIN)).toEqual(near({ ...card, w: 0.01 }));
    expect(resizeBox(card, 'w', { x: 0.6, y: 0.4 }, MIN)).toEqual(
      near({ ...card, x: 0.59, w: 0.01 }),
    );
    expect(resizeBox(card, 'n', { x: 0.3, y: 0.495 }, MIN)).toEqual(
      near({ ...card, y: 0.48, h: 0.02 }),
    );
    // Against the image's edge there is no room on that side: it goes the other way.
    const edge = { classIndex: 0, x: 0.5, y: 0.2, w: 0.5, h: 0.2 };
    expect(resizeBox(edge, 'w', { x: 1, y: 0.3 }, MIN)).toEqual(
      near({ ...edge, x: 0.99, w: 0.01 }),
    );
    expect(resizeBox({ ...edge, x: 0.995, w: 0.005 }, 'e', { x: 1, y: 0 }, MIN)).toEqual(
      near({ ...edge, x: 0.985, w: 0.01 }),
    );
  });

  it('always yields a box the contract accepts, from every handle to anywhere', () => {
    for (const handle of HANDLES) {
      for (const x of [-0.2, 0, 0.2, 0.205, 0.6, 0.99, 1, 1.3]) {
        for (const y of [-1, 0, 0.3, 0.5, 1, 2]) {
          const box = resizeBox(card, handle, { x, y }, MIN);
          expect(Box.safeParse(box).success).toBe(true);
          expect(box.w).toBeGreaterThanOrEqual(MIN.w - 1e-12);
          expect(box.h).toBeGreaterThanOrEqual(MIN.h - 1e-12);
        }
      }
    }
  });
});

describe('handles', () => {
  it('sit on the four corners and the middle of each edge', () => {
    const at = Object.fromEntries(HANDLES.map((h) => [h, handlePoint(card, h)]));
    expect(at.nw).toEqual({ x: 0.2, y: 0.3 });
    expect(at.se).toEqual({ x: expect.closeTo(0.6, 12), y: expect.closeTo(0.5, 12) });
    expect(at.n).toEqual({ x: expect.closeTo(0.4, 12), y: 0.3 });
    expect(at.w).toEqual({ x: 0.2, y: expect.closeTo(0.4, 12) });
    expect(new Set(HANDLES).size).toBe(8);
  });

  it('resize to where they are dragged: a handle dropped in place changes nothing', () => {
    for (const handle of HANDLES) {
      expect(resizeBox(card, handle, handlePoint(card, handle), MIN)).toEqual(near(card));
    }
  });
});

describe('contains and sameBox', () => {
  it('tell a point inside a box and an edit that changed nothing', () => {
    expect(contains(card, { x: 0.3, y: 0.4 })).toBe(true);
    expect(contains(card, { x: 0.1, y: 0.4 })).toBe(false);
    expect(sameBox(card, { ...card })).toBe(true);
    expect(sameBox(card, moveBox(card, 0.01, 0))).toBe(false);
  });
});
