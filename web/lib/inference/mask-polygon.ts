/**
 * A binary mask -> one editable polygon in normalised image coordinates, like Ultralytics'
 * `masks2segments`: OpenCV's findContours (RETR_EXTERNAL, CHAIN_APPROX_SIMPLE), whose border
 * following (Suzuki and Abe, imgproc/src/contours.cpp icvFetchContour) is reproduced step for
 * step, so the points are OpenCV's, in its order (test: mask-polygon.spec.ts, against cv2 on
 * masks with one-pixel necks). For several blobs Ultralytics' default strategy bridges them all
 * into one outline, and we keep the largest blob's: an outline with zero-width bridges is no
 * polygon to edit.
 *
 * The tracing must stop where OpenCV's does: back at the start pixel AND about to step to the
 * second pixel again. Stopping at the first return to the start pixel (the textbook Moore
 * criterion, used before) cut the outline short wherever the blob's first pixel is a one-pixel
 * neck, leaving vertices 13 mask pixels from Ultralytics' outline.
 */

/** OpenCV's chain codes: 0 east, then counter-clockwise on screen (y grows downwards). */
const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];

/** Index of the largest 8-connected component's first pixel (row-major), or -1. */
function largestBlobStart(mask: Uint8Array, w: number, h: number): number {
  const label = new Int32Array(w * h);
  const stack: number[] = [];
  let best = -1;
  let bestSize = 0;
  let next = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p] || label[p]) continue;
    next++;
    let size = 0;
    label[p] = next;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop()!;
      size++;
      const qx = q % w;
      const qy = (q - qx) / w;
      for (let d = 0; d < 8; d++) {
        const nx = qx + DX[d]!;
        const ny = qy + DY[d]!;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const r = ny * w + nx;
        if (mask[r] && !label[r]) {
          label[r] = next;
          stack.push(r);
        }
      }
    }
    if (size > bestSize) [best, bestSize] = [p, size];
  }
  return best;
}

export function maskToPolygon(mask: Uint8Array, w: number, h: number): [number, number][] {
  const start = largestBlobStart(mask, w, h);
  if (start < 0) return [];
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] === 1;
  const x0 = start % w;
  const y0 = (start - x0) / w;
  const norm = (x: number, y: number): [number, number] => [x / w, y / h];
  // The first neighbour clockwise from north-west (the start's west and north are empty).
  let s = 4;
  do s = (s + 7) % 8;
  while (!on(x0 + DX[s]!, y0 + DY[s]!) && s !== 4);
  if (!on(x0 + DX[s]!, y0 + DY[s]!)) return [norm(x0, y0)]; // a lone pixel
  const x1 = x0 + DX[s]!;
  const y1 = y0 + DY[s]!;
  const points: [number, number][] = [];
  let [x3, y3] = [x0, y0];
  let previous = (s + 4) % 8;
  for (let guard = 0; guard < 8 * w * h + 8; guard++) {
    // The next border pixel counter-clockwise from the one we came from.
    const from = s;
    do s++;
    while (s < from + 8 && !on(x3 + DX[s % 8]!, y3 + DY[s % 8]!));
    s %= 8;
    // CHAIN_APPROX_SIMPLE: a point only where the direction changes.
    if (s !== previous) {
      points.push(norm(x3, y3));
      previous = s;
    }
    const [x4, y4] = [x3 + DX[s]!, y3 + DY[s]!];
    if (x4 === x0 && y4 === y0 && x3 === x1 && y3 === y1) break;
    [x3, y3] = [x4, y4];
    s = (s + 4) % 8;
  }
  return points;
}
