// Pure geometry for the polygon editor: vertices as normalised [x, y] pairs (the contract's
// Polygon), edited without mutating. Kept out of the component so it is tested without a DOM.
import type { Polygon } from '$contract';
import type { Point } from '../box-editor/geometry';

export type Vertex = [number, number];

/** A tap this close (screen pixels) to a vertex means that vertex. */
export const HIT_PX = 14;
export const MIN_VERTICES = 3;

/** Screen distance between two normalised points on a stage of this size. */
export function screenDistance(a: Point, b: Point, width: number, height: number): number {
  return Math.hypot((a.x - b.x) * width, (a.y - b.y) * height);
}

export function toPoint([x, y]: Vertex): Point {
  return { x, y };
}

/** True when `p` is within HIT_PX of the first vertex: the tap that closes a drawn outline. */
export function closesOutline(
  draft: readonly Vertex[],
  p: Point,
  width: number,
  height: number,
): boolean {
  const first = draft[0];
  return (
    draft.length >= MIN_VERTICES &&
    !!first &&
    screenDistance(toPoint(first), p, width, height) <= HIT_PX
  );
}

export function moveVertex(polygon: Polygon, index: number, to: Point): Polygon {
  return {
    ...polygon,
    points: polygon.points.map((v, i): Vertex => (i === index ? [to.x, to.y] : v)),
  };
}

/** Adds a vertex after `edge` (the edge from vertex `edge` to the next one). */
export function insertVertex(polygon: Polygon, edge: number, at: Point): Polygon {
  const points = [...polygon.points];
  points.splice(edge + 1, 0, [at.x, at.y]);
  return { ...polygon, points };
}

/** Removes a vertex; null when the polygon would fall below three vertices. */
export function removeVertex(polygon: Polygon, index: number): Polygon | null {
  if (polygon.points.length <= MIN_VERTICES) return null;
  return { ...polygon, points: polygon.points.filter((_, i) => i !== index) };
}

/** The middle of each edge, where a new vertex can be added. */
export function midpoints(points: readonly Vertex[]): Point[] {
  return points.map(([x, y], i) => {
    const [nx, ny] = points[(i + 1) % points.length]!;
    return { x: (x + nx) / 2, y: (y + ny) / 2 };
  });
}

/** The area in normalised units (for drawing larger polygons first, so small ones stay tappable). */
export function polygonArea(points: readonly Vertex[]): number {
  let sum = 0;
  points.forEach(([x, y], i) => {
    const [nx, ny] = points[(i + 1) % points.length]!;
    sum += x * ny - nx * y;
  });
  return Math.abs(sum) / 2;
}

export function polygonDrawOrder(polygons: readonly Polygon[]): number[] {
  const areas = polygons.map((p) => polygonArea(p.points));
  return polygons.map((_, i) => i).sort((i, j) => areas[j]! - areas[i]! || i - j);
}

/** SVG `points` attribute for vertices on a stage of this size. */
export function svgPoints(points: readonly Vertex[], width: number, height: number): string {
  return points.map(([x, y]) => `${x * width},${y * height}`).join(' ');
}
