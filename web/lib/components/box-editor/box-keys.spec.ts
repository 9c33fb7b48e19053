import { describe, expect, it } from 'vitest';
import { nudgeFor } from './box-keys';

describe('nudgeFor', () => {
  it('moves one screen pixel per arrow press, ten with Shift', () => {
    expect(nudgeFor({ key: 'ArrowLeft', shiftKey: false })).toEqual({ dx: -1, dy: 0 });
    expect(nudgeFor({ key: 'ArrowDown', shiftKey: false })).toEqual({ dx: 0, dy: 1 });
    expect(nudgeFor({ key: 'ArrowUp', shiftKey: true })).toEqual({ dx: 0, dy: -10 });
    expect(nudgeFor({ key: 'ArrowRight', shiftKey: true })).toEqual({ dx: 10, dy: 0 });
  });

  it('leaves every other key to the page', () => {
    expect(nudgeFor({ key: 'd', shiftKey: false })).toBeNull();
    expect(nudgeFor({ key: 'Enter', shiftKey: true })).toBeNull();
  });
});
