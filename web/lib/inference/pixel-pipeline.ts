/**
 * One inference of any task from decoded RGBA pixels: preprocess -> run -> the task's result,
 * each stage timed. Pure (no DOM, no worker globals, no onnxruntime import): the browser's worker
 * runs it on onnxruntime-web and the server's predict endpoint on onnxruntime-node, so both give
 * the same answers for the same pixels. The runtime hands in anything that can run a tensor.
 */
import type { ModelMetadata } from '$contract';
import { classifyTensor, topK } from './classify-preprocess';
import { postprocessDetect } from './postprocess';
import { letterbox, type LetterboxTransform, type RgbaImage } from './preprocess';
import { postprocessSegment } from './segment-postprocess';
import {
  describeError,
  InferenceError,
  type ClassifyOptions,
  type ClassifyResult,
  type Detection,
  type DetectResult,
  type Float32Tensor,
  type InferenceOptions,
  type SegmentResult,
} from './types';

/** What the pipeline needs of a session: its output names and one run on a float32 tensor. */
export interface TensorSession {
  readonly outputNames: readonly string[];
  /** Feeds `input` to the model's only input; returns every output by name. */
  run(input: Float32Tensor): Promise<Record<string, Float32Tensor>>;
}

export type RunOptions = InferenceOptions & ClassifyOptions;

/**
 * Pixels to run on. Boxes refer to these pixels; a bitmap the browser shrank to fit a canvas
 * carries its own size in `sourceWidth`/`sourceHeight` and boxes map back up to it.
 */
export type SourcePixels = RgbaImage & { sourceWidth?: number; sourceHeight?: number };

/** A result before the runtime adds where it ran (`backend`). */
type Unplaced<T> = Omit<T, 'backend'>;
export type PixelDetectResult = Unplaced<DetectResult>;
export type PixelSegmentResult = Unplaced<SegmentResult>;
export type PixelClassifyResult = Unplaced<ClassifyResult>;
export type PixelTaskResult =
  | ({ task: 'detect' } & PixelDetectResult)
  | ({ task: 'segment' } & PixelSegmentResult)
  | ({ task: 'classify' } & PixelClassifyResult);

/** [height, width] the model was exported for: the fixed input dims, else metadata.imgsz. */
export function inputSize(metadata: ModelMetadata): [number, number] {
  const [, , h, w] = metadata.inputShape;
  const fixed = (d: number | undefined): d is number => d !== undefined && d > 0;
  return fixed(h) && fixed(w) ? [h, w] : [metadata.imgsz, metadata.imgsz];
}

/** Maps boxes on the pixels read back to the image's own size; returns that size. */
export function scaleToSource(
  detections: { x: number; y: number; w: number; h: number }[],
  pixels: SourcePixels,
) {
  const sourceWidth = pixels.sourceWidth ?? pixels.width;
  const sourceHeight = pixels.sourceHeight ?? pixels.height;
  const backX = sourceWidth / pixels.width;
  const backY = sourceHeight / pixels.height;
  if (backX !== 1 || backY !== 1) {
    for (const d of detections) {
      d.x *= backX;
      d.w *= backX;
      d.y *= backY;
      d.h *= backY;
    }
  }
  return { sourceWidth, sourceHeight };
}

/** The model's task on these pixels; `options` must already be resolved (resolveOptions). */
export async function runPixels(
  session: TensorSession,
  metadata: ModelMetadata,
  pixels: SourcePixels,
  options: Required<InferenceOptions>,
  topKCount = 5,
): Promise<PixelTaskResult> {
  switch (metadata.task) {
    case 'detect':
      return { task: 'detect', ...(await detectPixels(session, metadata, pixels, options)) };
    case 'segment':
      return { task: 'segment', ...(await segmentPixels(session, metadata, pixels, options)) };
    case 'classify':
      return { task: 'classify', ...(await classifyPixels(session, metadata, pixels, topKCount)) };
    default: {
      const unknown: never = metadata.task;
      throw new InferenceError('unsupported-task', `unknown model task "${String(unknown)}"`);
    }
  }
}

/** session.run with the model's failure turned into an InferenceError, outputs looked up by name. */
export async function runOutputs(
  session: TensorSession,
  metadata: ModelMetadata,
  tensor: Float32Array,
  count: number,
): Promise<Float32Tensor[]> {
  const [height, width] = inputSize(metadata);
  const outputs = await session
    .run({ data: tensor, dims: [1, 3, height, width] })
    .catch((error: unknown) => {
      throw new InferenceError(
        'inference-failed',
        `The model failed to run: ${describeError(error)}`,
      );
    });
  return Array.from({ length: count }, (_, i) => {
    const name = metadata.outputNames[i] ?? session.outputNames[i] ?? '';
    const output = outputs[name];
    if (!output) {
      throw new InferenceError(
        'invalid-model',
        `The model has no output "${name}" (it has ${session.outputNames.join(', ')}); ` +
          'metadata.json does not belong to this model.onnx.',
      );
    }
    return output;
  });
}

/**
 * Letterbox -> run -> `decode` the outputs into detections (tensor -> image pixels) -> map them
 * to the source image's size. What detect and segment share.
 */
async function letterboxed<D extends Detection>(
  session: TensorSession,
  metadata: ModelMetadata,
  pixels: SourcePixels,
  options: InferenceOptions,
  outputCount: number,
  decode: (outputs: Float32Tensor[], transform: LetterboxTransform) => D[],
) {
  const t0 = performance.now();
  const [height, width] = inputSize(metadata);
  const { tensor, transform } = letterbox(pixels, width, height, options.mode);
  const t1 = performance.now();
  const outputs = await runOutputs(session, metadata, tensor, outputCount);
  const t2 = performance.now();
  let detections: D[];
  try {
    detections = decode(outputs, transform);
  } catch (error) {
    // The outputs do not fit the metadata: the model is wrong, not the image.
    throw new InferenceError('invalid-model', describeError(error));
  }
  const { sourceWidth, sourceHeight } = scaleToSource(detections, pixels);
  const t3 = performance.now();
  return {
    detections,
    timings: { preMs: t1 - t0, inferenceMs: t2 - t1, postMs: t3 - t2 },
    imageWidth: sourceWidth,
    imageHeight: sourceHeight,
  };
}

/** Letterbox -> run -> boxes in pixel units of the source image. */
export function detectPixels(
  session: TensorSession,
  metadata: ModelMetadata,
  pixels: SourcePixels,
  options: InferenceOptions,
): Promise<PixelDetectResult> {
  return letterboxed(session, metadata, pixels, options, 1, ([output], transform) =>
    postprocessDetect(output!, metadata.classNames, transform, options),
  );
}

/** Letterbox -> run -> masks and polygons. Masks refer to the pixels read (see Segment). */
export function segmentPixels(
  session: TensorSession,
  metadata: ModelMetadata,
  pixels: SourcePixels,
  options: Required<InferenceOptions>,
): Promise<PixelSegmentResult> {
  return letterboxed(session, metadata, pixels, options, 2, ([output, prototypes], transform) =>
    postprocessSegment(output!, prototypes!, metadata.classNames, transform, options),
  );
}

/** Resize + centre crop -> run -> the top `k` classes. */
export async function classifyPixels(
  session: TensorSession,
  metadata: ModelMetadata,
  pixels: SourcePixels,
  k: number,
): Promise<PixelClassifyResult> {
  if (!(Number.isInteger(k) && k > 0)) {
    throw new InferenceError('inference-failed', `topK must be a positive integer, got ${k}`);
  }
  const t0 = performance.now();
  const [height, width] = inputSize(metadata);
  const tensor = classifyTensor(pixels, width, height);
  const t1 = performance.now();
  const [output] = await runOutputs(session, metadata, tensor, 1);
  const t2 = performance.now();
  const top = topK(output!.data, metadata.classNames, k);
  const t3 = performance.now();
  return {
    top,
    timings: { preMs: t1 - t0, inferenceMs: t2 - t1, postMs: t3 - t2 },
    imageWidth: pixels.sourceWidth ?? pixels.width,
    imageHeight: pixels.sourceHeight ?? pixels.height,
  };
}

/** One run on a mid-grey image, checking every output's shape against the metadata's. */
export async function warmUp(session: TensorSession, metadata: ModelMetadata): Promise<void> {
  const [height, width] = inputSize(metadata);
  let outputs;
  try {
    outputs = await session.run({
      data: new Float32Array(3 * height * width).fill(114 / 255),
      dims: [1, 3, height, width],
    });
  } catch (error) {
    throw new InferenceError(
      'invalid-model',
      `The model does not run on a ${width}x${height} image as metadata.json says it should ` +
        `(${describeError(error)}); metadata.json does not belong to this model.onnx.`,
    );
  }
  metadata.outputNames.forEach((name, i) => {
    const got = outputs[name]?.dims ?? [];
    const want = metadata.outputShapes[i] ?? [];
    if (got.length !== want.length || want.some((d, k) => d > 0 && d !== got[k])) {
      throw new InferenceError(
        'invalid-model',
        `The model's output "${name}" is [${got.join(', ')}] but metadata.json says ` +
          `[${want.join(', ')}]; metadata.json does not belong to this model.onnx.`,
      );
    }
  });
}
