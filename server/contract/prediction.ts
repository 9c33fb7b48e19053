import { z } from 'zod';
import { Task } from './common';

/** Images one batch predict request may carry (multipart parts named `image`). */
export const MAX_PREDICT_BATCH = 16;

/** The image formats predict accepts, told apart by their bytes (the content type must agree). */
export const PREDICT_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

const Fraction = z.coerce.number().min(0).max(1);

/**
 * Query of `POST /api/models/:id/predict`: Ultralytics' predict arguments with the browser's
 * names and defaults (web/lib/inference/types.ts), plus how many classes a classify model reports.
 */
export const PredictQuery = z.object({
  /** Keep boxes whose best class score is strictly above this. */
  conf: Fraction.default(0.25),
  /** Suppress a same-class box whose IoU with a better one is above this. */
  iou: Fraction.default(0.7),
  /** Keep at most this many boxes, best first. */
  maxDet: z.coerce.number().int().min(1).max(10_000).default(300),
  /** Classify: how many classes to report, best first. */
  topK: z.coerce.number().int().min(1).max(1000).default(5),
});
export type PredictQuery = z.infer<typeof PredictQuery>;

const Scored = { className: z.string(), confidence: z.number() };

/**
 * A predicted box as the labeling studio stores one (contract `Box`: normalised, top-left corner)
 * with the class's name and the model's confidence.
 */
export const PredictedBox = z.object({
  classIndex: z.number().int().min(0),
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  ...Scored,
});
export type PredictedBox = z.infer<typeof PredictedBox>;

/** A predicted outline as the studio stores one (contract `Polygon`: normalised vertices). */
export const PredictedPolygon = z.object({
  classIndex: z.number().int().min(0),
  points: z.array(z.tuple([z.number(), z.number()])),
  ...Scored,
});
export type PredictedPolygon = z.infer<typeof PredictedPolygon>;

export const PredictedClass = z.object({ classIndex: z.number().int().min(0), ...Scored });
export type PredictedClass = z.infer<typeof PredictedClass>;

/** Milliseconds per stage on the server. */
export const PredictTimings = z.object({
  /** Bytes to RGBA pixels, EXIF orientation applied. */
  decodeMs: z.number(),
  /** Letterbox (or classify resize and crop) to the input tensor. */
  preMs: z.number(),
  /** onnxruntime's run only. */
  inferenceMs: z.number(),
  /** Decode the outputs, NMS, masks to polygons, map back to the image. */
  postMs: z.number(),
});
export type PredictTimings = z.infer<typeof PredictTimings>;

/**
 * One image's answer, in the labeling studio's label shapes: detect fills `boxes`; segment fills
 * `polygons` and, for each at the same position, its box in `boxes`; classify fills `classes`
 * (top-k, best first) and `imageClass` (the best one's index). Coordinates are fractions of the
 * image as the user sees it (EXIF orientation applied), `width` x `height` pixels.
 */
export const Prediction = z.object({
  modelId: z.string(),
  task: Task,
  width: z.number().int(),
  height: z.number().int(),
  boxes: z.array(PredictedBox),
  polygons: z.array(PredictedPolygon),
  imageClass: z.number().int().nullable(),
  classes: z.array(PredictedClass),
  timings: PredictTimings,
});
export type Prediction = z.infer<typeof Prediction>;

/** A batch's answer: one prediction per `image` part, in the order they were sent. */
export const PredictionBatch = z.object({ predictions: z.array(Prediction) });
export type PredictionBatch = z.infer<typeof PredictionBatch>;
