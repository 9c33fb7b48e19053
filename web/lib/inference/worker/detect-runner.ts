/**
 * One detect inference from a transferred bitmap: bitmap -> pixels -> ../pixel-pipeline.ts (the
 * same pure pipeline the server's predict endpoint runs) -> boxes in image pixels.
 */
import type { ModelMetadata } from '$contract';
import { detectPixels } from '../pixel-pipeline';
import { resolveOptions } from '../postprocess';
import { describeError, InferenceError, type DetectResult, type InferenceOptions } from '../types';
import { bitmapPixels } from './bitmap-pixels';
import type { OrtSession } from './ort';

/** Reads a transferred bitmap (and closes it), then runs `detectPixels`. */
export async function runDetect(
  session: OrtSession,
  metadata: ModelMetadata,
  image: ImageBitmap,
  options: InferenceOptions,
): Promise<DetectResult> {
  let resolved: Required<InferenceOptions>;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    image.close();
    throw new InferenceError('inference-failed', `Invalid detect options: ${describeError(error)}`);
  }
  const t0 = performance.now();
  const pixels = await bitmapPixels(image).catch((error: unknown) => {
    throw new InferenceError(
      'bad-image',
      `Could not read the image's pixels: ${describeError(error)}`,
    );
  });
  const readMs = performance.now() - t0;
  const result = await detectPixels(session, metadata, pixels, resolved);
  result.timings.preMs += readMs; // reading the bitmap is part of preprocessing
  return { ...result, backend: session.backend };
}
