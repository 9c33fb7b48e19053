import { describe, expect, it } from 'vitest';
import { gridWindow, scrollToShow } from './grid-window';

describe('gridWindow', () => {
  it('renders only the rows in view and a couple either side, for 10,000 images', () => {
    // 390-px phone: 3 columns of 96 + 8 gap; a 300-px viewport scrolled to row 1000.
    const w = gridWindow(10_000, 366, 96, 8, 104 * 1000, 300);
    expect(w.columns).toBe(3);
    expect(w.start).toBe(998 * 3);
    expect(w.end).toBe(1005 * 3);
    expect(w.end - w.start).toBeLessThan(30);
    expect(w.offsetTop).toBe(998 * 104);
    expect(w.totalHeight).toBe(3334 * 104 - 8);
  });

  it('clamps at both ends and never has zero columns', () => {
    expect(gridWindow(5, 50, 96, 8, 0, 300)).toMatchObject({ columns: 1, start: 0, end: 5 });
    expect(gridWindow(0, 400, 96, 8, 0, 300)).toMatchObject({ start: 0, end: 0, totalHeight: 0 });
  });
});

describe('scrollToShow', () => {
  it('scrolls up or down just enough, or not at all', () => {
    expect(scrollToShow(30, 3, 96, 8, 0, 300)).toBe(10 * 104 + 96 - 300);
    expect(scrollToShow(0, 3, 96, 8, 500, 300)).toBe(0);
    expect(scrollToShow(3, 3, 96, 8, 0, 300)).toBeNull();
  });
});
