import { describe, expect, it } from 'vitest';
import { Polygon } from '$contract';
import {
  closesOutline,
  insertVertex,
  midpoints,
  moveVertex,
  polygonDrawOrder,
  removeVertex,
  svgPoints,
  type Vertex,
} from './polygon-geometry';

const square: Polygon = {
  classIndex: 1,
  points: [
    [0.1, 0.1],
    [0.5, 0.1],
    [0.5, 0.5],
    [0.1, 0.5],
  ],
};

describe('polygon editing', () => {
  it('moves, inserts and removes vertices without touching the original', () => {
    const moved = moveVertex(square, 2, { x: 0.6, y: 0.7 });
    expect(moved.points[2]).toEqual([0.6, 0.7]);
    expect(square.points[2]).toEqual([0.5, 0.5]);
    const inserted = insertVertex(square, 3, { x: 0.05, y: 0.3 });
    expect(inserted.points).toEqual([...square.points, [0.05, 0.3]]);
    const between = insertVertex(square, 0, { x: 0.3, y: 0.05 });
    expect(between.points[1]).toEqual([0.3, 0.05]);
    expect(removeVertex(square, 0)!.points).toEqual(square.points.slice(1));
    for (const p of [moved, inserted, between]) expect(Polygon.safeParse(p).success).toBe(true);
  });

  it('never leaves fewer than three vertices', () => {
    const triangle = removeVertex(square, 1)!;
    expect(triangle.points).toHaveLength(3);
    expect(removeVertex(triangle, 0)).toBeNull();
  });

  it('gives each edge a midpoint, the last edge closing the outline', () => {
    expect(midpoints(square.points)).toEqual([
      { x: 0.3, y: 0.1 },
      { x: 0.5, y: 0.3 },
      { x: 0.3, y: 0.5 },
      { x: 0.1, y: 0.3 },
    ]);
  });

  it('closes an outline only with three vertices and a tap near the first', () => {
    const draft: Vertex[] = [
      [0.1, 0.1],
      [0.5, 0.1],
    ];
    expect(closesOutline(draft, { x: 0.1, y: 0.1 }, 400, 300)).toBe(false);
    draft.push([0.5, 0.5]);
    expect(closesOutline(draft, { x: 0.1 + 10 / 400, y: 0.1 }, 400, 300)).toBe(true);
    expect(closesOutline(draft, { x: 0.1 + 20 / 400, y: 0.1 }, 400, 300)).toBe(false);
  });

  it('draws larger polygons first and writes SVG points in pixels', () => {
    const small = { ...square, points: square.points.map(([x, y]): Vertex => [x / 10, y / 10]) };
    expect(polygonDrawOrder([small, square])).toEqual([1, 0]);
    expect(svgPoints(square.points.slice(0, 2), 200, 100)).toBe('20,10 100,10');
  });
});
