/**
 * One inference of any task: image -> pixels -> preprocess -> session.run -> the task's result.
 * The pure steps live in ../preprocess.ts and ../postprocess.ts; this file sequences and times
 * them, and checks the outputs against the shapes the task needs.
 */
import type { ModelMetadata } from '$contract';
import { classifyTensor, topK } from '../classify-preprocess';
import { resolveOptions } from '../postprocess';
import { letterbox, type RgbaImage } from '../preprocess';
import { postprocessSegment } from '../segment-postprocess';
import {
  describeError,
  InferenceError,
  type ClassifyOptions,
  type ClassifyResult,
  type Float32Tensor,
  type InferenceOptions,
  type SegmentResult,
  type TaskResult,
} from '../types';
import { bitmapPixels } from './bitmap-pixels';
import { decodeImage } from './decode-image';
import { detectPixels, inputSize, scaleToSource } from './detect-runner';
import type { OrtSession } from './ort';

export type RunOptions = InferenceOptions & ClassifyOptions;

/** Decodes (a Blob) or reads (a bitmap, closed after) the image, then runs the model on it. */
export async function runTask(
  session: OrtSession,
  metadata: ModelMetadata,
  image: ImageBitmap | Blob,
  options: RunOptions,
): Promise<TaskResult> {
  let resolved: Required<InferenceOptions>;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    if (!(image instanceof Blob)) image.close();
    throw new InferenceError('inference-failed', `Invalid options: ${describeError(error)}`);
  }
  const t0 = performance.now();
  const bitmap = image instanceof Blob ? await decodeImage(image) : image;
  const pixels = await bitmapPixels(bitmap).catch((error: unknown) => {
    throw new InferenceError(
      'bad-image',
      `Could not read the image's pixels: ${describeError(error)}`,
    );
  });
  const readMs = performance.now() - t0;
  switch (metadata.task) {
    case 'detect': {
      const result = await detectPixels(session, metadata, pixels, resolved);
      result.timings.preMs += readMs; // decoding and reading the bitmap is preprocessing
      return { task: 'detect', ...result };
    }
    case 'segment': {
      const result = await segmentPixels(session, metadata, pixels, resolved);
      result.timings.preMs += readMs;
      return { task: 'segment', ...result };
    }
    case 'classify': {
      const result = await classifyPixels(session, metadata, pixels, options.topK ?? 5);
      result.timings.preMs += readMs;
      return { task: 'classify', ...result };
    }
    default: {
      const unknown: never = metadata.task;
      throw new InferenceError('unsupported-task', `unknown model task "${String(unknown)}"`);
    }
  }
}

/** session.run with the model's failure turned into an InferenceError, outputs looked up by name. */
async function runOutputs(
  session: OrtSession,
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

/** Letterbox -> run -> masks and polygons. Masks refer to the pixels read (see Segment). */
export async function segmentPixels(
  session: OrtSession,
  metadata: ModelMetadata,
  pixels: RgbaImage & { sourceWidth?: number; sourceHeight?: number },
  options: Required<InferenceOptions>,
): Promise<SegmentResult> {
  const t0 = performance.now();
  const [height, width] = inputSize(metadata);
  const { tensor, transform } = letterbox(pixels, width, height);
  const t1 = performance.now();
  const [output, prototypes] = await runOutputs(session, metadata, tensor, 2);
  const t2 = performance.now();
  let detections;
  try {
    detections = postprocessSegment(output!, prototypes!, metadata.classNames, transform, options);
  } catch (error) {
    throw new InferenceError('invalid-model', describeError(error));
  }
  const { sourceWidth, sourceHeight } = scaleToSource(detections, pixels);
  const t3 = performance.now();
  return {
    detections,
    timings: { preMs: t1 - t0, inferenceMs: t2 - t1, postMs: t3 - t2 },
    backend: session.backend,
    imageWidth: sourceWidth,
    imageHeight: sourceHeight,
  };
}

/** Resize + centre crop -> run -> the top `k` classes. */
export async function classifyPixels(
  session: OrtSession,
  metadata: ModelMetadata,
  pixels: RgbaImage & { sourceWidth?: number; sourceHeight?: number },
  k: number,
): Promise<ClassifyResult> {
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
    backend: session.backend,
    imageWidth: pixels.sourceWidth ?? pixels.width,
    imageHeight: pixels.sourceHeight ?? pixels.height,
  };
}

/** One run on a mid-grey image, checking every output's shape against the metadata's. */
export async function warmUp(session: OrtSession, metadata: ModelMetadata): Promise<void> {
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
