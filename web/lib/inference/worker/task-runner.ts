/**
 * One inference of any task: image -> pixels -> preprocess -> session.run -> the task's result.
 * The pure steps live in ../preprocess.ts and ../postprocess.ts; this file sequences and times
 * them, and checks the outputs against the shapes the task needs.
 */
import type { ModelMetadata } from '$contract';
import { resolveOptions } from '../postprocess';
import {
  describeError,
  InferenceError,
  type ClassifyOptions,
  type InferenceOptions,
  type TaskResult,
} from '../types';
import { bitmapPixels } from './bitmap-pixels';
import { decodeImage } from './decode-image';
import { detectPixels, inputSize } from './detect-runner';
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
    default:
      throw new InferenceError(
        'unsupported-task',
        `${metadata.task} models are not supported yet; train a detect model to run it here.`,
      );
  }
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
