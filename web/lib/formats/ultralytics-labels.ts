// What Ultralytics 8.4.190 trains on (ultralytics/data/utils.py, verify_image_label), so the YOLO
// import keeps every label it accepts exactly as given and changes only what it would refuse.
// It reads a label file as float32 and ignores all labels of the photo when any value of any line
// is above 1.01, or below 0 unless every value is at least -0.01; for an outline it checks the
// bounding box of its vertices (centre, width, height), not the vertices. The runner applies the
// same rule (gpu-runner/loupe_runner/yolo_labels.py); test/contract/ultralytics-labels.json holds
// Ultralytics' own verdicts for both.
import type { Box, Polygon } from '$contract';

// Its limits, compared in float32 as numpy compares a float32 array with a Python float.
const HIGH = Math.fround(1.01);
const LOW = Math.fround(-0.01);

/** Whether Ultralytics keeps a label whose box is (centre x, centre y, width, height). */
export function ultralyticsAccepts(values: readonly number[]): boolean {
  const f32 = values.map(Math.fround);
  return f32.every((v) => v <= HIGH && v >= LOW) && f32.slice(2).every((v) => v >= 0);
}

/** An outline's box as Ultralytics computes it (segments2boxes, xyxy2xywh) in float32. */
function outlineBox(points: readonly (readonly [number, number])[]): number[] {
  const xs = points.map(([x]) => Math.fround(x));
  const ys = points.map(([, y]) => Math.fround(y));
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // A sum of two float32 values rounded once to float32 is float32 arithmetic.
  const centre = (a: number, b: number) => Math.fround(Math.fround(a + b) / 2);
  return [centre(x0, x1), centre(y0, y1), Math.fround(x1 - x0), Math.fround(y1 - y0)];
}

/** A label as stored: kept as given, clipped to the image, or nothing left inside it. */
export type Fitted<T> = { kept: T } | { clipped: T } | { outside: true };

const clip = (v: number) => Math.min(1, Math.max(0, v));

/** A YOLO detect line's box (centre, size) as the import stores it: the top-left corner. */
export function fitBox(
  classIndex: number,
  cx: number,
  cy: number,
  w: number,
  h: number,
): Fitted<Box> {
  const box: Box = { classIndex, x: cx - w / 2, y: cy - h / 2, w, h };
  if (ultralyticsAccepts([cx, cy, w, h])) return { kept: box };
  const [x0, y0] = [clip(box.x), clip(box.y)];
  const [x1, y1] = [clip(box.x + box.w), clip(box.y + box.h)];
  if (x1 <= x0 || y1 <= y0) return { outside: true };
  return { clipped: { classIndex, x: x0, y: y0, w: x1 - x0, h: y1 - y0 } };
}

/** A YOLO segment line's outline as the import stores it. */
export function fitPolygon(polygon: Polygon): Fitted<Polygon> {
  if (ultralyticsAccepts(outlineBox(polygon.points))) return { kept: polygon };
  const points = polygon.points.map(([x, y]): [number, number] => [clip(x), clip(y)]);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const flat = Math.max(...xs) <= Math.min(...xs) || Math.max(...ys) <= Math.min(...ys);
  return flat ? { outside: true } : { clipped: { classIndex: polygon.classIndex, points } };
}
