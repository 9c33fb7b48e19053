/**
 * One detect inference: bitmap -> pixels -> letterbox -> session.run -> boxes in image pixels.
 * The pure steps live in ../preprocess.ts and ../postprocess.ts; this file only sequences them
 * and times them.
 */
import type { ModelMetadata } from '$contract';
import { postprocessDetect, resolveOptions } from '../postprocess';
import { letterbox, type RgbaImage } from '../preprocess';
import { describeError, InferenceError, type DetectResult, type InferenceOptions } from '../types';
import { bitmapPixels } from './bitmap-pixels';
import type { OrtSession } from './ort';

/** [height, width] the model was exported for: the fixed input dims, else metadata.imgsz. */
export function inputSize(metadata: ModelMetadata): [number, number] {
  const [, , h, w] = metadata.inputShape;
  const fixed = (d: number | undefined): d is number => d !== undefined && d > 0;
  return fixed(h) && fixed(w) ? [h, w] : [metadata.imgsz, metadata.imgsz];
}

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
  return result;
}

/**
 * RGBA pixels -> detections in pixel units of `sourceWidth` x `sourceHeight` (the pixels' own
 * size when those are absent). Separate from the bitmap so Node tests run the same path.
 */
export type SourcePixels = RgbaImage & { sourceWidth?: number; sourceHeight?: number };

/**
 * Boxes refer to the pixels that were read; a bitmap the browser shrank to fit a canvas maps back
 * up to the image's own size here. Returns that size.
 */
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

export async function detectPixels(
  session: OrtSession,
  metadata: ModelMetadata,
  pixels: RgbaImage & { sourceWidth?: number; sourceHeight?: number },
  options: InferenceOptions,
): Promise<DetectResult> {
  const t0 = performance.now();
  const [height, width] = inputSize(metadata);
  const { tensor, transform } = letterbox(pixels, width, height);

  const t1 = performance.now();
  const outputs = await session
    .run({ data: tensor, dims: [1, 3, height, width] })
    .catch((error: unknown) => {
      throw new InferenceError(
        'inference-failed',
        `The model failed to run: ${describeError(error)}`,
      );
    });
  const outputName = metadata.outputNames[0] ?? session.outputNames[0]!;
  const output = outputs[outputName];
  if (!output) {
    throw new InferenceError(
      'invalid-model',
      `The model has no output "${outputName}" (it has ${session.outputNames.join(', ')}); ` +
        'metadata.json does not belong to this model.onnx.',
    );
  }

  const t2 = performance.now();
  let detections;
  try {
    detections = postprocessDetect(output, metadata.classNames, transform, options);
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
