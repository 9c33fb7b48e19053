import { describe, expect, it } from 'vitest';
import { maskToPolygon } from './mask-polygon';

function mask(rows: string[]): [Uint8Array, number, number] {
  const w = rows[0]!.length;
  return [Uint8Array.from(rows.join(''), (c) => (c === '#' ? 1 : 0)), w, rows.length];
}

describe('maskToPolygon', () => {
  it('keeps only the corners of a rectangle, clockwise, normalised', () => {
    const [m, w, h] = mask(['....', '.##.', '.##.', '....']);
    expect(maskToPolygon(m, w, h)).toEqual([
      [0.25, 0.25],
      [0.5, 0.25],
      [0.5, 0.5],
      [0.25, 0.5],
    ]);
  });

  it('traces the largest blob only', () => {
    const [m, w, h] = mask(['#.....', '......', '..###.', '..###.', '..###.']);
    const points = maskToPolygon(m, w, h);
    expect(points).toHaveLength(4);
    expect(points[0]).toEqual([2 / 6, 2 / 5]);
  });

  it('answers no points for an empty mask', () => {
    const [m, w, h] = mask(['...', '...']);
    expect(maskToPolygon(m, w, h)).toEqual([]);
  });
});
