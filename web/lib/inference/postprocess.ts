/**
 * Reads a detect model's output tensor into `Detection`s in source-image pixels, as Ultralytics'
 * DetectionPredictor.postprocess does: best class per anchor, `score > conf`, class-aware NMS,
 * then undo the letterbox (ops.scale_boxes) and clip to the image.
 */
import { nms, type Candidate } from './nms';
import type { LetterboxTransform } from './preprocess';
import {
  DEFAULT_OPTIONS,
  type Detection,
  type Float32Tensor,
  type InferenceOptions,
} from './types';

/** The output layout a model has, known from its shape. */
export type DetectLayout =
  /** [1, 4 + nc, anchors]: cx, cy, w, h, then one score per class (no objectness). Needs NMS. */
  | 'anchors'
  /** [1, maxDet, 6]: x1, y1, x2, y2, score, class. End-to-end exports (YOLOv10/YOLO26), no NMS. */
  | 'end-to-end';

export function detectLayout(
  dims: readonly number[],
  numClasses: number,
  /** Channels after the class scores: 32 mask coefficients for a segment model. */
  extraChannels = 0,
): DetectLayout {
  if (dims.length === 3 && dims[0] === 1) {
    if (dims[1] === 4 + numClasses + extraChannels) return 'anchors';
    if (dims[2] === 6) return 'end-to-end';
  }
  throw new Error(
    `Detect output has shape [${dims.join(', ')}]; expected [1, ${4 + numClasses + extraChannels}, N] for ` +
      `${numClasses} classes (or [1, N, 6] end-to-end). Re-export the model with Ultralytics ` +
      'format=onnx, nms=False, and check that metadata.classNames matches the trained classes.',
  );
}

/**
 * Anchors whose best class score is above `conf`, as corner boxes in tensor pixels. With
 * `multiLabel`, every class above `conf` of such an anchor becomes its own candidate (as in
 * Ultralytics' validation). `numClasses` bounds the score rows: a segment output has mask
 * coefficients after them. `anchor` remembers the column, to find those coefficients again.
 */
export function decodeAnchors(
  output: Float32Tensor,
  numClasses: number,
  conf: number,
  multiLabel = false,
): Candidate[] {
  const { data } = output;
  const n = output.dims[2]!;
  // Class-major loop: the tensor is [channel][anchor], so this reads memory in order.
  const bestScore = new Float32Array(n).fill(-Infinity);
  const bestClass = new Int32Array(n);
  for (let c = 0; c < numClasses; c++) {
    const row = (4 + c) * n;
    for (let i = 0; i < n; i++) {
      const s = data[row + i]!;
      if (s > bestScore[i]!) {
        bestScore[i] = s;
        bestClass[i] = c;
      }
    }
  }
  const candidates: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const score = bestScore[i]!;
    if (!(score > conf)) continue;
    const cx = data[i]!;
    const cy = data[n + i]!;
    const halfW = data[2 * n + i]! / 2;
    const halfH = data[3 * n + i]! / 2;
    const box = { x1: cx - halfW, y1: cy - halfH, x2: cx + halfW, y2: cy + halfH, anchor: i };
    if (!multiLabel) {
      candidates.push({ ...box, score, classIndex: bestClass[i]! });
      continue;
    }
    for (let c = 0; c < numClasses; c++) {
      const s = data[(4 + c) * n + i]!;
      if (s > conf) candidates.push({ ...box, score: s, classIndex: c });
    }
  }
  return candidates;
}

/** Rows of an end-to-end output above `conf`, in the order the model gives them. */
export function decodeEndToEnd(output: Float32Tensor, conf: number, maxDet: number): Candidate[] {
  const { data } = output;
  const rows = output.dims[1]!;
  const candidates: Candidate[] = [];
  for (let r = 0; r < rows && candidates.length < maxDet; r++) {
    const o = r * 6;
    const score = data[o + 4]!;
    if (!(score > conf)) continue;
    candidates.push({
      x1: data[o]!,
      y1: data[o + 1]!,
      x2: data[o + 2]!,
      y2: data[o + 3]!,
      score,
      classIndex: Math.round(data[o + 5]!),
    });
  }
  return candidates;
}

/** Tensor pixels to source pixels, clipped to the image unless `t.clip` is off; returns corners. */
export function toSourcePixels(
  box: Candidate,
  t: LetterboxTransform,
): [number, number, number, number] {
  const clip = (v: number, max: number) => (t.clip ? Math.min(Math.max(v, 0), max) : v);
  return [
    clip((box.x1 - t.padX) / t.scaleX, t.sourceWidth),
    clip((box.y1 - t.padY) / t.scaleY, t.sourceHeight),
    clip((box.x2 - t.padX) / t.scaleX, t.sourceWidth),
    clip((box.y2 - t.padY) / t.scaleY, t.sourceHeight),
  ];
}

/** Fills defaults (an explicit `undefined` counts as unset) and rejects values Ultralytics rejects. */
export function resolveOptions(options: InferenceOptions): Required<InferenceOptions> {
  const resolved = {
    conf: options.conf ?? DEFAULT_OPTIONS.conf,
    iou: options.iou ?? DEFAULT_OPTIONS.iou,
    maxDet: options.maxDet ?? DEFAULT_OPTIONS.maxDet,
    multiLabel: options.multiLabel ?? DEFAULT_OPTIONS.multiLabel,
    mode: options.mode ?? DEFAULT_OPTIONS.mode,
  };
  if (resolved.mode !== 'predict' && resolved.mode !== 'val') {
    throw new RangeError(`mode must be "predict" or "val", got ${String(resolved.mode)}`);
  }
  for (const key of ['conf', 'iou'] as const) {
    const v = resolved[key];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${key} must be between 0 and 1, got ${v}`);
  }
  if (!(Number.isInteger(resolved.maxDet) && resolved.maxDet > 0)) {
    throw new RangeError(`maxDet must be a positive integer, got ${resolved.maxDet}`);
  }
  return resolved;
}

/** Candidates kept after NMS (or the end-to-end rows), still in tensor pixels. */
export function keptCandidates(
  output: Float32Tensor,
  numClasses: number,
  options: Required<InferenceOptions>,
  extraChannels = 0,
): Candidate[] {
  const { conf, iou, maxDet, multiLabel } = options;
  return detectLayout(output.dims, numClasses, extraChannels) === 'anchors'
    ? nms(decodeAnchors(output, numClasses, conf, multiLabel), iou, maxDet)
    : decodeEndToEnd(output, conf, maxDet);
}

/** A kept candidate as a Detection in source pixels. */
export function toDetection(
  box: Candidate,
  classNames: readonly string[],
  transform: LetterboxTransform,
): Detection {
  const [x1, y1, x2, y2] = toSourcePixels(box, transform);
  return {
    classIndex: box.classIndex,
    className: classNames[box.classIndex] ?? `class ${box.classIndex}`,
    confidence: box.score,
    x: x1,
    y: y1,
    w: x2 - x1,
    h: y2 - y1,
  };
}

export function postprocessDetect(
  output: Float32Tensor,
  classNames: readonly string[],
  transform: LetterboxTransform,
  options: InferenceOptions = {},
): Detection[] {
  return keptCandidates(output, classNames.length, resolveOptions(options)).map((box) =>
    toDetection(box, classNames, transform),
  );
}
