import { describe, expect, it } from 'vitest';
import { swipeStep } from './swipe';

describe('swipeStep', () => {
  it('goes to the next photo on a swipe left and the previous on a swipe right', () => {
    expect(swipeStep({ x: 300, y: 400 }, { x: 150, y: 420 })).toBe(1);
    expect(swipeStep({ x: 100, y: 400 }, { x: 250, y: 380 })).toBe(-1);
  });
  it('ignores short moves and mostly vertical ones (the page scrolling)', () => {
    expect(swipeStep({ x: 100, y: 400 }, { x: 140, y: 400 })).toBe(0);
    expect(swipeStep({ x: 100, y: 400 }, { x: 180, y: 300 })).toBe(0);
  });
});
