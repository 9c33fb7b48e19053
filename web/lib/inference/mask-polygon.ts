/**
 * A binary mask -> one editable polygon in normalised image coordinates, like Ultralytics'
 * `masks2segments` (OpenCV findContours, external contours, simple chain): the outer boundary of
 * the largest 8-connected blob is traced (Moore neighbour tracing) through pixel centres, and
 * points along straight runs are dropped. For a one-blob mask this is `Results.masks.xyn` to
 * within a pixel (test/e2e/inference-tasks-parity.e2e.ts); for several blobs Ultralytics' default
 * strategy bridges them all into one outline, and we keep the largest blob's: an outline with
 * zero-width bridges is no polygon to edit.
 */

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

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
  const sx = start % w;
  const sy = (start - sx) / w;
  const path: [number, number][] = [[sx, sy]];
  // The start is the blob's first pixel in scan order, so its west and north are empty:
  // begin the clockwise search from the west.
  let x = sx;
  let y = sy;
  let from = 4;
  for (let guard = 0; guard < 4 * w * h + 8; guard++) {
    let moved = false;
    for (let i = 1; i <= 8; i++) {
      const d = (from + i) % 8;
      if (on(x + DX[d]!, y + DY[d]!)) {
        x += DX[d]!;
        y += DY[d]!;
        from = (d + 4) % 8; // where we came from, seen from the new pixel
        moved = true;
        break;
      }
    }
    if (!moved || (x === sx && y === sy)) break;
    path.push([x, y]);
  }
  // Simple chain: keep a point only where the direction changes.
  const points: [number, number][] = [];
  for (let i = 0; i < path.length; i++) {
    const prev = path[(i - 1 + path.length) % path.length]!;
    const cur = path[i]!;
    const nextPoint = path[(i + 1) % path.length]!;
    const straight =
      path.length > 2 &&
      cur[0] - prev[0] === nextPoint[0] - cur[0] &&
      cur[1] - prev[1] === nextPoint[1] - cur[1];
    if (!straight) points.push([cur[0] / w, cur[1] / h]);
  }
  return points;
}
