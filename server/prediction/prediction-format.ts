/**
 * The pipeline's answer (pixels, the browser's result types) -> the labeling studio's label
 * shapes (normalised boxes, polygons, an image class) with class names and confidences.
 */
import type { Prediction, PredictedBox, PredictTimings } from '../contract';
import type { PixelTaskResult } from '../../web/lib/inference/pixel-pipeline';
import type { Detection } from '../../web/lib/inference/types';

const clamp = (v: number) => Math.min(1, Math.max(0, v));
const ms = (v: number) => Math.round(v * 1000) / 1000;

/** Pixels (top-left corner) -> fractions of the image; postprocess clipped them already. */
function toBox(d: Detection, width: number, height: number): PredictedBox {
  const x = clamp(d.x / width);
  const y = clamp(d.y / height);
  return {
    classIndex: d.classIndex,
    className: d.className,
    confidence: d.confidence,
    x,
    y,
    w: clamp((d.x + d.w) / width) - x,
    h: clamp((d.y + d.h) / height) - y,
  };
}

export function toPrediction(
  modelId: string,
  result: PixelTaskResult,
  decodeMs: number,
): Prediction {
  const { imageWidth: width, imageHeight: height, timings } = result;
  const base = {
    modelId,
    task: result.task,
    width,
    height,
    boxes: [],
    polygons: [],
    imageClass: null,
    classes: [],
    timings: {
      decodeMs: ms(decodeMs),
      preMs: ms(timings.preMs),
      inferenceMs: ms(timings.inferenceMs),
      postMs: ms(timings.postMs),
    } satisfies PredictTimings,
  };
  switch (result.task) {
    case 'detect':
      return { ...base, boxes: result.detections.map((d) => toBox(d, width, height)) };
    case 'segment':
      return {
        ...base,
        boxes: result.detections.map((d) => toBox(d, width, height)),
        polygons: result.detections.map((d) => ({
          classIndex: d.classIndex,
          className: d.className,
          confidence: d.confidence,
          points: d.polygon.points,
        })),
      };
    case 'classify':
      return { ...base, imageClass: result.top[0]?.classIndex ?? null, classes: result.top };
  }
}
