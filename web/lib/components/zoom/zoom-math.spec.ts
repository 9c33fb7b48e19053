import { describe, expect, it } from 'vitest';
import { clampView, IDENTITY, MAX_SCALE, panBy, pinch, zoomAt } from './zoom-math';

/** Where an image point (ix, iy) at 1x lands on the stage under a view. */
const onStage = (v: { scale: number; x: number; y: number }, ix: number, iy: number) => ({
  x: v.x + ix * v.scale,
  y: v.y + iy * v.scale,
});

describe('zoom and pan', () => {
  it('zooms around the pointer: the image point under it stays under it', () => {
    const v = zoomAt(IDENTITY, 2, 100, 50, 400, 300);
    expect(v.scale).toBe(2);
    expect(onStage(v, 100, 50)).toEqual({ x: 100, y: 50 });
  });

  it('stays between 1x and the maximum, and the image always covers the stage', () => {
    expect(zoomAt(IDENTITY, 0.5, 10, 10, 400, 300)).toEqual(IDENTITY);
    expect(zoomAt(IDENTITY, 100, 0, 0, 400, 300).scale).toBe(MAX_SCALE);
    const v = panBy(zoomAt(IDENTITY, 2, 200, 150, 400, 300), 10_000, -10_000, 400, 300);
    expect(v).toEqual({ scale: 2, x: 0, y: -300 });
    expect(clampView({ scale: 2, x: 50, y: -1000 }, 400, 300)).toEqual({ scale: 2, x: 0, y: -300 });
  });

  it('pinches: spreading two fingers zooms, moving them together pans', () => {
    const zoomed = pinch(
      IDENTITY,
      { x: 150, y: 100 },
      { x: 250, y: 100 },
      { x: 100, y: 100 },
      { x: 300, y: 100 },
      400,
      300,
    );
    expect(zoomed.scale).toBe(2);
    expect(onStage(zoomed, 200, 100)).toEqual({ x: 200, y: 100 });
    const panned = pinch(
      zoomed,
      { x: 100, y: 100 },
      { x: 300, y: 100 },
      { x: 80, y: 90 },
      { x: 280, y: 90 },
      400,
      300,
    );
    expect(panned).toEqual({ ...zoomed, x: zoomed.x - 20, y: zoomed.y - 10 });
  });
});
