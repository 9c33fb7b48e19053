import { describe, expect, it } from 'vitest';
import { classColor } from './colors';

/** The hue of a #rrggbb colour in degrees. */
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

const apart = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

describe('classColor', () => {
  it('gives the first six classes hues at least 30 degrees apart', () => {
    const hues = [0, 1, 2, 3, 4, 5].map((i) => hue(classColor(i)));
    for (let i = 0; i < hues.length; i++) {
      for (let j = i + 1; j < hues.length; j++) {
        expect(apart(hues[i]!, hues[j]!), `classes ${i} and ${j}`).toBeGreaterThanOrEqual(30);
      }
    }
  });
  it('repeats the palette for indexes past its end', () => {
    expect(classColor(18)).toBe(classColor(0));
  });
});
