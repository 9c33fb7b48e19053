/**
 * Reads a segment model's two outputs into `Segment`s, as Ultralytics' SegmentationPredictor
 * does with `retina_masks=False` (ops.process_mask with upsample=True):
 * - output0 [1, 4 + nc + 32, N]: boxes and class scores as detect, then 32 mask coefficients;
 * - output1 [1, 32, mh, mw]: prototypes. A mask is coefficients x prototypes, upsampled to the
 *   letterboxed input with bilinear (align_corners=False), thresholded at > 0 on the raw scores
 *   (sigmoid > 0.5 is the same test), then cropped to the box (x1 <= column < x2);
 * - detections whose mask is empty are dropped, as Ultralytics drops them.
 * The mask is kept only over the un-padded part of the input, which maps linearly onto the
 * photo, and traced into a polygon the labeling studio can edit.
 */
import { maskToPolygon } from './mask-polygon';
import { keptCandidates, resolveOptions, toDetection } from './postprocess';
import type { Candidate } from './nms';
import type { LetterboxTransform } from './preprocess';
import type { Float32Tensor, InferenceOptions, Segment } from './types';

export const MASK_COEFFICIENTS = 32;

export function postprocessSegment(
  output: Float32Tensor,
  prototypes: Float32Tensor,
  classNames: readonly string[],
  transform: LetterboxTransform,
  options: InferenceOptions = {},
): Segment[] {
  const nc = classNames.length;
  const [, channels, mh, mw] = prototypes.dims as [number, number, number, number];
  if (prototypes.dims.length !== 4 || channels !== MASK_COEFFICIENTS) {
    throw new Error(
      `Segment prototypes have shape [${prototypes.dims.join(', ')}]; expected [1, 32, H/4, W/4].`,
    );
  }
  const kept = keptCandidates(output, nc, resolveOptions(options), MASK_COEFFICIENTS);
  const n = output.dims[2]!;
  const {
    targetWidth: W,
    targetHeight: H,
    padX,
    padY,
    resizedWidth: rw,
    resizedHeight: rh,
  } = transform;
  const segments: Segment[] = [];
  const raw = new Float32Array(mh * mw);
  for (const box of kept) {
    // coefficients x prototypes, in float32 like torch's matmul.
    raw.fill(0);
    for (let k = 0; k < MASK_COEFFICIENTS; k++) {
      const c = output.data[(4 + nc + k) * n + box.anchor!]!;
      const proto = prototypes.data.subarray(k * mh * mw, (k + 1) * mh * mw);
      for (let i = 0; i < raw.length; i++) raw[i] = Math.fround(raw[i]! + c * proto[i]!);
    }
    // Only columns/rows inside the box survive the crop: x1 <= x < x2.
    const x0 = Math.max(0, Math.ceil(box.x1));
    const x1 = Math.min(W, Math.ceil(box.x2));
    const y0 = Math.max(0, Math.ceil(box.y1));
    const y1 = Math.min(H, Math.ceil(box.y2));
    const mask = new Uint8Array(rw * rh);
    let any = false;
    for (let y = y0; y < y1; y++) {
      const [ya, yb, fy] = tap(y, mh, H);
      for (let x = x0; x < x1; x++) {
        const [xa, xb, fx] = tap(x, mw, W);
        const top = raw[ya * mw + xa]! * (1 - fx) + raw[ya * mw + xb]! * fx;
        const bottom = raw[yb * mw + xa]! * (1 - fx) + raw[yb * mw + xb]! * fx;
        if (!(top * (1 - fy) + bottom * fy > 0)) continue;
        any = true;
        const my = y - padY;
        const mx = x - padX;
        if (my >= 0 && my < rh && mx >= 0 && mx < rw) mask[my * rw + mx] = 1;
      }
    }
    if (!any) continue;
    const detection = toDetection(box, classNames, transform);
    segments.push({
      ...detection,
      mask,
      maskWidth: rw,
      maskHeight: rh,
      polygon: { classIndex: box.classIndex, points: maskToPolygon(mask, rw, rh) },
    });
  }
  return segments;
}

/** PyTorch's bilinear source taps for output index `d` (align_corners=False). */
function tap(d: number, inSize: number, outSize: number): [number, number, number] {
  const src = Math.max((d + 0.5) * (inSize / outSize) - 0.5, 0);
  const a = Math.floor(src);
  const b = Math.min(a + 1, inSize - 1);
  return [a, b, src - a];
}

/**
 * The validator's masks (ops.process_mask with upsample=False, what `model.val` scores): for
 * each kept box, coefficients x prototypes at the prototypes' own size, `> 0`, cropped to the
 * box scaled to that size (column >= x1/4 and < x2/4, in float32 as torch compares). Empty masks
 * stay: the validator keeps every box NMS kept.
 */
export function prototypeMasks(
  output: Float32Tensor,
  prototypes: Float32Tensor,
  numClasses: number,
  kept: readonly Candidate[],
  inputWidth: number,
  inputHeight: number,
): { masks: Uint8Array[]; width: number; height: number } {
  const [, , mh, mw] = prototypes.dims as [number, number, number, number];
  const n = output.dims[2]!;
  const f = Math.fround;
  const rx = f(mw / inputWidth);
  const ry = f(mh / inputHeight);
  const raw = new Float32Array(mh * mw);
  const masks = kept.map((box) => {
    raw.fill(0);
    for (let k = 0; k < MASK_COEFFICIENTS; k++) {
      const c = output.data[(4 + numClasses + k) * n + box.anchor!]!;
      const proto = prototypes.data.subarray(k * mh * mw, (k + 1) * mh * mw);
      for (let i = 0; i < raw.length; i++) raw[i] = f(raw[i]! + c * proto[i]!);
    }
    const [x1, y1, x2, y2] = [
      f(f(box.x1) * rx),
      f(f(box.y1) * ry),
      f(f(box.x2) * rx),
      f(f(box.y2) * ry),
    ];
    const mask = new Uint8Array(mh * mw);
    for (let y = 0; y < mh; y++) {
      if (!(y >= y1 && y < y2)) continue;
      for (let x = 0; x < mw; x++) {
        if (x >= x1 && x < x2 && raw[y * mw + x]! > 0) mask[y * mw + x] = 1;
      }
    }
    return mask;
  });
  return { masks, width: mw, height: mh };
}
