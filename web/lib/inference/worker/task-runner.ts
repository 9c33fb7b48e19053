/**
 * One inference of any task in the worker: image -> pixels -> ../pixel-pipeline.ts (the same
 * pure pipeline the server's predict endpoint runs) -> the task's result; or, for an
 * evaluation, -> ../eval-pipeline.ts -> the picture's stats.
 */
import type { ModelMetadata } from '$contract';
import type { EvalLabels, ImageStats } from '$lib/evaluation/image-stats';
import { evaluatePixels } from '../eval-pipeline';
import { runPixels, type RunOptions } from '../pixel-pipeline';
import { resolveOptions } from '../postprocess';
import { describeError, InferenceError, type InferenceOptions, type TaskResult } from '../types';
import { bitmapPixels } from './bitmap-pixels';
import { decodeImage } from './decode-image';
import type { OrtSession } from './ort';

export { warmUp, type RunOptions } from '../pixel-pipeline';

function resolved(image: ImageBitmap | Blob, options: InferenceOptions) {
  try {
    return resolveOptions(options);
  } catch (error) {
    if (!(image instanceof Blob)) image.close();
    throw new InferenceError('inference-failed', `Invalid options: ${describeError(error)}`);
  }
}

/** Decodes (a Blob) or reads (a bitmap, closed after) the image into RGBA pixels, timed. */
async function readPixels(image: ImageBitmap | Blob) {
  const t0 = performance.now();
  const bitmap = image instanceof Blob ? await decodeImage(image) : image;
  const t1 = performance.now();
  const pixels = await bitmapPixels(bitmap).catch((error: unknown) => {
    throw new InferenceError(
      'bad-image',
      `Could not read the image's pixels: ${describeError(error)}`,
    );
  });
  return { pixels, decodeMs: t1 - t0, readMs: performance.now() - t1 };
}

/** Decodes (a Blob) or reads (a bitmap, closed after) the image, then runs the model on it. */
export async function runTask(
  session: OrtSession,
  metadata: ModelMetadata,
  image: ImageBitmap | Blob,
  options: RunOptions,
): Promise<TaskResult> {
  const settings = resolved(image, options);
  const { pixels, decodeMs, readMs } = await readPixels(image);
  const result = await runPixels(session, metadata, pixels, settings, options.topK ?? 5);
  // Reading the bitmap is preprocessing; decoding a Blob is not part of a frame's pre (a scan
  // frame arrives decoded), so it is reported apart.
  result.timings.preMs += readMs;
  result.timings.readMs = readMs;
  if (image instanceof Blob) result.timings.decodeMs = decodeMs;
  return { ...result, backend: session.backend };
}

/** One picture of an evaluation: its stats against `labels` (see ../eval-pipeline.ts). */
export async function evaluateTask(
  session: OrtSession,
  metadata: ModelMetadata,
  image: ImageBitmap | Blob,
  labels: EvalLabels,
  options: InferenceOptions,
): Promise<ImageStats> {
  const settings = resolved(image, options);
  const { pixels } = await readPixels(image);
  return evaluatePixels(session, metadata, pixels, labels, settings);
}
