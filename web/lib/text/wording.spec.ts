import { describe, expect, it } from 'vitest';
import { percent, plural } from './wording';

describe('plural', () => {
  it('writes one and many without "(s)"', () => {
    expect(plural(1, 'image')).toBe('1 image');
    expect(plural(0, 'image')).toBe('0 images');
    expect(plural(2, 'box', 'boxes')).toBe('2 boxes');
    expect(plural(1200, 'photo')).toBe('1,200 photos');
  });
});

describe('percent', () => {
  it('never shows a real confidence as 0%', () => {
    expect(percent(0.004)).toBe('<1%');
    expect(percent(0.004, 1)).toBe('0.4%');
    expect(percent(0.0004, 1)).toBe('<0.1%');
    expect(percent(0)).toBe('0%');
    expect(percent(0.256)).toBe('26%');
    expect(percent(1)).toBe('100%');
  });
});
