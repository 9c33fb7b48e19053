/**
 * OpenCV's `cv2.fillPoly(mask, [points], 1)` on a one-channel mask, pixel for pixel, because
 * Ultralytics rasterises segment labels with exactly that call (data/utils.py `polygon2mask`)
 * before scoring masks; a polygon filled any other way moves mask IoU by whole pixels on the
 * small masks the validator compares (a quarter of the input size).
 *
 * OpenCV's recipe (imgproc drawing.cpp, shift 0, LINE_8), checked against cv2 in
 * fill-poly.spec.ts:
 * - every edge is first drawn as an 8-connected Bresenham line from its left end (endpoints
 *   clipped to the image with `clipLine`);
 * - each edge that is not horizontal joins the scan: x in 16.16 fixed point from its upper end,
 *   step `(dx << 16) / dy` truncated, active for rows y0 <= y < y1;
 * - on each row the active edges, ordered by x, pair up; a pair fills ceil(left) .. floor(right).
 */

const XY_SHIFT = 16;
const XY_ONE = 1 << XY_SHIFT;

interface Edge {
  y0: number;
  y1: number;
  /** Fixed-point x at row y0. */
  x: number;
  dx: number;
}

/** Fills `points` (x, y integer pairs, one closed polygon) with 1 in `mask` (row-major). */
export function fillPoly(
  mask: Uint8Array,
  width: number,
  height: number,
  points: readonly (readonly [number, number])[],
): void {
  const n = points.length;
  if (n === 0) return;
  const edges: Edge[] = [];
  let [px, py] = points[n - 1]!;
  for (const [x, y] of points) {
    collectEdge(mask, width, height, px, py, x, y, edges);
    px = x;
    py = y;
  }
  fillEdges(mask, width, height, edges);
}

function collectEdge(
  mask: Uint8Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  edges: Edge[],
): void {
  drawLine(mask, width, height, x0, y0, x1, y1);
  let [cy0, cy1] = [y0, y1];
  let [cx0, cx1] = [x0, x1];
  const outside = (x: number, y: number) => x < 0 || x >= width || y < 0 || y >= height;
  if (outside(x0, y0) || outside(x1, y1)) {
    // The edge's slope follows the part of its line inside the image, as OpenCV does.
    const clipped = clipLine(width, height, x0, y0, x1, y1);
    [cx0, cy0, cx1, cy1] = clipped.points;
    if (cy0 === cy1) [cy0, cy1] = [y0, y1];
  }
  if (y0 === y1) return;
  const fx0 = cx0 * XY_ONE;
  const fx1 = cx1 * XY_ONE;
  const dx = Math.trunc((fx1 - fx0) / (cy1 - cy0));
  if (y0 < y1) edges.push({ y0, y1, x: fx0 + (y0 - cy0) * dx, dx });
  else edges.push({ y0: y1, y1: y0, x: fx1 + (y1 - cy1) * dx, dx });
}

function fillEdges(mask: Uint8Array, width: number, height: number, edges: Edge[]): void {
  if (edges.length < 2) return;
  let yMin = Infinity;
  let yMax = -Infinity;
  let xMin = Infinity;
  let xMax = -Infinity;
  for (const e of edges) {
    const xEnd = e.x + (e.y1 - e.y0) * e.dx;
    yMin = Math.min(yMin, e.y0);
    yMax = Math.max(yMax, e.y1);
    xMin = Math.min(xMin, e.x, xEnd);
    xMax = Math.max(xMax, e.x, xEnd);
  }
  if (yMax < 0 || yMin >= height || xMax < 0 || xMin >= width * XY_ONE) return;
  const xs: number[] = [];
  for (let y = Math.max(yMin, 0); y < Math.min(yMax, height); y++) {
    xs.length = 0;
    for (const e of edges) if (e.y0 <= y && y < e.y1) xs.push(e.x + (y - e.y0) * e.dx);
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      let from = Math.floor((xs[k]! + XY_ONE - 1) / XY_ONE);
      let to = Math.floor(xs[k + 1]! / XY_ONE);
      if (from >= width || to < 0) continue;
      from = Math.max(from, 0);
      to = Math.min(to, width - 1);
      mask.fill(1, y * width + from, y * width + to + 1);
    }
  }
}

/** OpenCV's `clipLine`: the part of the segment inside the image (integer arithmetic). */
export function clipLine(
  width: number,
  height: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): { inside: boolean; points: [number, number, number, number] } {
  const right = width - 1;
  const bottom = height - 1;
  const code = (x: number, y: number) =>
    (x < 0 ? 1 : 0) + (x > right ? 2 : 0) + (y < 0 ? 4 : 0) + (y > bottom ? 8 : 0);
  let c1 = code(x1, y1);
  let c2 = code(x2, y2);
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    if (c1 & 12) {
      const a = c1 < 8 ? 0 : bottom;
      x1 += Math.trunc(((a - y1) * (x2 - x1)) / (y2 - y1));
      y1 = a;
      c1 = (x1 < 0 ? 1 : 0) + (x1 > right ? 2 : 0);
    }
    if (c2 & 12) {
      const a = c2 < 8 ? 0 : bottom;
      x2 += Math.trunc(((a - y2) * (x2 - x1)) / (y2 - y1));
      y2 = a;
      c2 = (x2 < 0 ? 1 : 0) + (x2 > right ? 2 : 0);
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        const a = c1 === 1 ? 0 : right;
        y1 += Math.trunc(((a - x1) * (y2 - y1)) / (x2 - x1));
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        const a = c2 === 1 ? 0 : right;
        y2 += Math.trunc(((a - x2) * (y2 - y1)) / (x2 - x1));
        x2 = a;
        c2 = 0;
      }
    }
  }
  return { inside: (c1 | c2) === 0, points: [x1, y1, x2, y2] };
}

/** OpenCV's `Line` (LineIterator, 8-connected, left to right) setting pixels to 1. */
function drawLine(
  mask: Uint8Array,
  width: number,
  height: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): void {
  const outside = (x: number, y: number) => x < 0 || x >= width || y < 0 || y >= height;
  if (outside(ax, ay) || outside(bx, by)) {
    const clipped = clipLine(width, height, ax, ay, bx, by);
    if (!clipped.inside) return;
    [ax, ay, bx, by] = clipped.points;
  }
  if (bx < ax) [ax, ay, bx, by] = [bx, by, ax, ay];
  let dx = bx - ax;
  let dy = Math.abs(by - ay);
  let stepX = 1;
  let stepY = by < ay ? -width : width;
  if (dy > dx) {
    [dx, dy] = [dy, dx];
    [stepX, stepY] = [stepY, stepX];
  }
  // Along the major axis every step (`stepX`), along the minor one when the error goes negative.
  let err = dx - 2 * dy;
  let at = ay * width + ax;
  for (let i = 0; i <= dx; i++) {
    mask[at] = 1;
    const minor = err < 0;
    err += -2 * dy + (minor ? 2 * dx : 0);
    at += stepX + (minor ? stepY : 0);
  }
}
