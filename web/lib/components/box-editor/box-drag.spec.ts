import { describe, expect, it } from 'vitest';
import { edited, startDrag, type EditDrag } from './box-drag';

const card = { classIndex: 0, x: 0.2, y: 0.2, w: 0.4, h: 0.4 };
const screen = { w: 400, h: 200 };
const selection = { index: 3, box: card };
const nothing = { hit: null, handle: null };

describe('startDrag', () => {
  it('edits the selected box from anywhere inside it, even over a smaller box', () => {
    const drag = startDrag(1, { x: 0.3, y: 0.3 }, { hit: 7, handle: null }, selection);
    expect(drag).toMatchObject({ kind: 'edit', index: 3, origin: card, handle: null, hit: 7 });
  });

  it('resizes from a handle, which may lie just outside the box', () => {
    const drag = startDrag(1, { x: 0.61, y: 0.61 }, { hit: null, handle: 'se' }, selection);
    expect(drag).toMatchObject({ kind: 'edit', handle: 'se' });
  });

  it('draws outside the selected box, or when nothing is selected', () => {
    expect(startDrag(1, { x: 0.7, y: 0.7 }, nothing, selection).kind).toBe('draw');
    expect(startDrag(1, { x: 0.3, y: 0.3 }, { hit: 3, handle: null }, null).kind).toBe('draw');
  });
});

describe('edited', () => {
  const drag = (end: { x: number; y: number }, handle: EditDrag['handle'] = null): EditDrag => ({
    kind: 'edit',
    pointerId: 1,
    start: { x: 0.3, y: 0.3 },
    end,
    hit: 3,
    index: 3,
    origin: card,
    handle,
  });

  it('leaves the box as it was until the pointer has moved more than a tap', () => {
    expect(edited(drag({ x: 0.3 + 2 / 400, y: 0.3 }), screen)).toBe(card);
    expect(edited(drag({ x: 0.3 + 2 / 400, y: 0.3 }, 'se'), screen)).toBe(card);
  });

  it('moves the box by the pointer’s travel', () => {
    expect(edited(drag({ x: 0.4, y: 0.25 }), screen)).toEqual({
      ...card,
      x: expect.closeTo(0.3, 12),
      y: expect.closeTo(0.15, 12),
    });
  });

  it('moves a handle by the pointer’s travel, wherever in its hit square it was grabbed', () => {
    // Grabbed at (0.3, 0.3), not on the corner (0.6, 0.6): the corner still moves by +0.1.
    expect(edited(drag({ x: 0.4, y: 0.4 }, 'se'), screen)).toEqual({
      ...card,
      w: expect.closeTo(0.5, 12),
      h: expect.closeTo(0.5, 12),
    });
  });

  it('stops a resize at the smallest box that can be drawn, four screen pixels', () => {
    // The right edge (0.6) dragged to 1 px right of the left edge (0.2): 4 px wide, not 1.
    const squashed = edited(drag({ x: 0.3 - 0.4 + 1 / 400, y: 0.3 }, 'e'), screen);
    expect([squashed.x, squashed.w]).toEqual([0.2, expect.closeTo(4 / 400, 12)]);
    // 1 px past it: flipped to the left edge's other side, still 4 px wide.
    const flipped = edited(drag({ x: 0.3 - 0.4 - 1 / 400, y: 0.3 }, 'e'), screen);
    expect(flipped.x).toBeCloseTo(0.2 - 4 / 400, 12);
    expect(flipped.x + flipped.w).toBeCloseTo(0.2, 12);
  });
});
