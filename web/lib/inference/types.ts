/**
 * Types shared by the page-side bridge, the worker and the pure pre/post-processing modules.
 * Nothing here may reference `window`, `self` or onnxruntime-web: both sides import it.
 */
import type { Task } from '$contract';
import type { BackendChoice } from './backend-choice';
import type { LetterboxMode } from './preprocess';

/** Where the ONNX graph runs. 'webgpu' falls back to 'wasm' when the GPU session cannot be made. */
export type Backend = 'webgpu' | 'wasm';

/** 'auto' picks 'webgpu' when the browser offers an adapter. Forcing 'wasm' helps parity tests. */
export type BackendPreference = 'auto' | Backend;

/** One detected object, in the pixels of the image as the user sees it (EXIF orientation applied). */
export interface Detection {
  classIndex: number;
  className: string;
  confidence: number;
  /** Top-left corner. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Ultralytics' predict arguments with the same names and defaults (conf, iou, max_det). */
export interface InferenceOptions {
  /** Keep boxes whose best class score is strictly above this. Default 0.25. */
  conf?: number;
  /** Suppress a same-class box whose IoU with a better one is above this. Default 0.7. */
  iou?: number;
  /** Keep at most this many boxes, best first. Default 300. */
  maxDet?: number;
  /**
   * One box per class above `conf` for each anchor, not only the best class: what Ultralytics'
   * validator does (`multi_label=True`), so in-browser evaluation matches `model.val`. Default false.
   */
  multiLabel?: boolean;
  /**
   * 'val': prepare the picture and keep the boxes as Ultralytics' validator does (load_image's
   * resize, LetterBox without enlarging, boxes not clipped to the image), so in-browser
   * evaluation gives `model.val`'s numbers. Boxes may then reach past the image. Default 'predict'.
   */
  mode?: LetterboxMode;
}

export const DEFAULT_OPTIONS: Required<InferenceOptions> = {
  conf: 0.25,
  iou: 0.7,
  maxDet: 300,
  multiLabel: false,
  mode: 'predict',
};

/** A polygon in normalised image coordinates (0..1), the shape the labeling studio edits. */
export interface Polygon {
  classIndex: number;
  points: [number, number][];
}

/** A segment model's instance: its box plus its mask as an editable polygon. */
export interface Segment extends Detection {
  polygon: Polygon;
  /**
   * The binary mask (1 = object) over the un-padded part of the letterboxed input, row-major,
   * `maskWidth` x `maskHeight`; it maps linearly onto the whole image.
   */
  mask: Uint8Array;
  maskWidth: number;
  maskHeight: number;
}

export interface SegmentResult extends Omit<DetectResult, 'detections'> {
  detections: Segment[];
}

export interface ClassifyOptions {
  /** How many classes to report, best first. Default 5. */
  topK?: number;
}

export interface ClassScore {
  classIndex: number;
  className: string;
  confidence: number;
}

export interface ClassifyResult {
  top: ClassScore[];
  timings: Timings;
  backend: Backend;
  imageWidth: number;
  imageHeight: number;
}

/** What one `run` answers, by the loaded model's task. */
export type TaskResult = (
  | ({ task: 'detect' } & DetectResult)
  | ({ task: 'segment' } & SegmentResult)
  | ({ task: 'classify' } & ClassifyResult)
) & {
  /** Set on every answer once a run failed on WebGPU and the session moved to WASM. */
  fallbackReason?: string;
};

export interface Timings {
  /**
   * A Blob's decode to a bitmap (createImageBitmap), apart from `preMs`: a scan frame arrives
   * decoded and has none. Absent when the image was already a bitmap.
   */
  decodeMs?: number;
  /** Read the bitmap's pixels (`readMs` of it), letterbox, normalise. */
  preMs: number;
  /** Of `preMs`: drawing the bitmap and reading its RGBA back (absent outside the worker). */
  readMs?: number;
  /** onnxruntime `session.run` only. */
  inferenceMs: number;
  /** Decode the output, NMS, map back to image pixels. */
  postMs: number;
}

export interface LoadedModel {
  backend: Backend;
  /** wasm threads in use (1 unless the page is cross-origin isolated). */
  threads: number;
  /** One inference on a blank image during loading, so the first real frame is not slow. */
  warmupMs: number;
  /** Why WebGPU was not used although it was preferred; absent when it was used or not wanted. */
  fallbackReason?: string;
  /** The backend and why it was chosen; `backendLabel(choice)` is what the page shows. */
  choice: BackendChoice;
  task: Task;
  inputName: string;
  inputShape: number[];
  outputNames: string[];
  classNames: string[];
  loadMs: number;
}

export interface DetectResult {
  detections: Detection[];
  timings: Timings;
  backend: Backend;
  /** Size of the image the boxes refer to (after EXIF orientation). */
  imageWidth: number;
  imageHeight: number;
}

export type InferenceErrorCode =
  | 'unsupported-task'
  | 'invalid-model'
  | 'model-too-large'
  | 'no-model'
  | 'bad-image'
  | 'inference-failed'
  | 'worker-failed'
  | 'aborted'
  | 'disposed';

/** What the worker sends back instead of throwing: thrown errors lose `code` through comlink. */
export interface WireError {
  code: InferenceErrorCode;
  message: string;
}

export type WorkerReply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The error every public call rejects with; `message` says what to do about it. */
export class InferenceError extends Error {
  readonly code: InferenceErrorCode;

  constructor(code: InferenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InferenceError';
    this.code = code;
  }
}

/** A float32 tensor as it crosses module boundaries; keeps onnxruntime types inside ort.ts. */
export interface Float32Tensor {
  data: Float32Array;
  dims: readonly number[];
}

/** The message of anything thrown, for wrapping into an actionable InferenceError. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
