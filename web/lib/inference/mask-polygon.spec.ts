import { describe, expect, it } from 'vitest';
import { maskToPolygon } from './mask-polygon';

function mask(rows: string[]): [Uint8Array, number, number] {
  const w = rows[0]!.length;
  return [Uint8Array.from(rows.join(''), (c) => (c === '#' ? 1 : 0)), w, rows.length];
}

/** The polygon back in mask pixels, to compare with cv2.findContours' points. */
const pixels = (rows: string[]) => {
  const [m, w, h] = mask(rows);
  return maskToPolygon(m, w, h).map(([x, y]) => [Math.round(x * w), Math.round(y * h)]);
};

describe('maskToPolygon', () => {
  it('keeps only the corners of a rectangle, in OpenCV order, normalised', () => {
    const [m, w, h] = mask(['....', '.##.', '.##.', '....']);
    expect(maskToPolygon(m, w, h)).toEqual([
      [0.25, 0.25],
      [0.25, 0.5],
      [0.5, 0.5],
      [0.5, 0.25],
    ]);
  });

  // Expected: cv2.findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) (OpenCV 4, as pinned
  // with Ultralytics 8.4.190). The blob's first pixel is a one-pixel neck, passed twice: a trace
  // that stops on its first return there drops the rest of the outline.
  it('follows the whole outline when the first pixel is a neck, as OpenCV does', () => {
    const neck = [
      '...................',
      '...................',
      '...........##......',
      '.....##..##........',
      '...######..........',
      '....###............',
    ];
    // prettier-ignore
    expect(pixels(neck)).toEqual([
      [11, 2], [10, 3], [9, 3], [8, 4], [7, 4], [6, 3], [5, 3], [4, 4], [3, 4], [4, 5], [6, 5],
      [7, 4], [8, 4], [9, 3], [10, 3], [11, 2], [12, 2],
    ]);
    const branches = ['.....', '.....', '.#...', '#.#..', '..#..', '...##', '..#.#'];
    // prettier-ignore
    expect(pixels(branches)).toEqual([
      [1, 2], [0, 3], [1, 2], [2, 3], [2, 4], [3, 5], [2, 6], [3, 5], [4, 6], [4, 5], [3, 5],
      [2, 4], [2, 3],
    ]);
    expect(pixels(['#'])).toEqual([[0, 0]]);
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
