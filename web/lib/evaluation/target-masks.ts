/**
 * The ground-truth masks Ultralytics' SegmentationValidator scores predicted masks against, made
 * the way its dataloader makes them (val, `overlap_mask=True`, `mask_ratio=4`):
 * 1. each polygon (normalised, read as float32) is resampled to 1000 points
 *    (`ops.resample_segments`: the vertices plus evenly spaced points along the closed outline);
 * 2. the points follow the picture: times load_image's size, times LetterBox's ratio, plus its
 *    padding, in float32 (`Instances.denormalize/scale/add_padding`);
 * 3. `polygon2mask`: truncated to integers, `cv2.fillPoly` on the whole input, then
 *    `cv2.resize` (INTER_LINEAR) to a quarter of it;
 * 4. `polygons2masks_overlap`: instances sorted by area, largest first, each drawn over the
 *    previous ones, so where two overlap the smaller one owns the pixels.
 */
import type { LetterboxTransform } from '$lib/inference/preprocess';
import { resizeBilinearPlanes } from '$lib/inference/resize-bilinear';
import { fillPoly } from './fill-poly';
import { linspace } from './numeric';

export const MASK_RATIO = 4;
const RESAMPLE_POINTS = 1000;
const f = Math.fround;
const IDENTITY = Uint8Array.from({ length: 256 }, (_, v) => v);

/** resample_segments(n=1000) for one closed polygon of float32 points. */
export function resampleSegment(
  points: readonly (readonly [number, number])[],
  n = RESAMPLE_POINTS,
): [number, number][] {
  if (points.length === n) return points.map(([x, y]) => [x, y]);
  const closed = [...points, points[0]!];
  const last = closed.length - 1;
  let xs: number[];
  if (closed.length < n) {
    // np.linspace(0, last, n - len) with every vertex index inserted before its equal.
    const spaced = linspace(0, last, n - closed.length);
    xs = [];
    let k = 0;
    for (let v = 0; v <= last; v++) {
      while (k < spaced.length && spaced[k]! < v) xs.push(spaced[k++]!);
      xs.push(v);
    }
    while (k < spaced.length) xs.push(spaced[k++]!);
  } else {
    xs = Array.from(linspace(0, last, n));
  }
  return xs.map((x) => {
    if (x === last) return [...closed[last]!];
    const i = Math.min(Math.floor(x), last - 1);
    const t = x - i;
    const [ax, ay] = closed[i]!;
    const [bx, by] = closed[i + 1]!;
    // np.interp's slope form, in float64, stored as float32.
    return [f((bx - ax) * t + ax), f((by - ay) * t + ay)];
  });
}

/** A polygon's points in tensor pixels, as the validator's transforms move them (float32). */
export function toTensorPixels(
  points: readonly (readonly [number, number])[],
  t: LetterboxTransform,
): [number, number][] {
  const r = t.scale;
  return resampleSegment(points.map(([x, y]) => [f(x), f(y)])).map(([x, y]) => [
    f(f(f(x * t.loadWidth) * r) + t.padX),
    f(f(f(y * t.loadHeight) * r) + t.padY),
  ]);
}

/** polygon2mask(downsample_ratio=4): fillPoly at full size, INTER_LINEAR down to a quarter. */
export function polygonMask(
  points: readonly (readonly [number, number])[],
  width: number,
  height: number,
): Uint8Array {
  const full = new Uint8Array(width * height);
  // np.asarray(..., dtype=np.int32): truncation toward zero.
  fillPoly(
    full,
    width,
    height,
    points.map(([x, y]) => [Math.trunc(x), Math.trunc(y)] as const),
  );
  const rgba = new Uint8Array(full.length * 4);
  for (let i = 0; i < full.length; i++) rgba[i * 4] = full[i]!;
  const w = Math.floor(width / MASK_RATIO);
  const h = Math.floor(height / MASK_RATIO);
  const out = new Uint8Array(w * h);
  const unused = new Uint8Array(w * h);
  resizeBilinearPlanes({ data: rgba, width, height }, w, h, {
    red: out,
    green: unused,
    blue: unused,
    stride: w,
    offset: 0,
    table: IDENTITY,
  });
  return out;
}

/**
 * One mask per polygon (in the polygons' order) at a quarter of the input, with the overlap
 * rule of polygons2masks_overlap; `polygons` are normalised to the picture.
 */
export function targetMasks(
  polygons: readonly (readonly (readonly [number, number])[])[],
  t: LetterboxTransform,
): Uint8Array[] {
  const w = t.targetWidth;
  const h = t.targetHeight;
  const masks = polygons.map((p) => polygonMask(toTensorPixels(p, t), w, h));
  const areas = masks.map((m) => m.reduce((s, v) => s + v, 0));
  // np.argsort(-areas): for the few labels of a picture numpy's sort is stable.
  const order = masks.map((_, i) => i).sort((a, b) => areas[b]! - areas[a]!);
  const owner = new Int32Array(masks[0]?.length ?? 0).fill(-1);
  for (const i of order) masks[i]!.forEach((v, p) => v && (owner[p] = i));
  return masks.map((_, i) => Uint8Array.from(owner, (o) => (o === i ? 1 : 0)));
}
