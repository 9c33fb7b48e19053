/**
 * Types shared by the page-side bridge, the worker and the pure pre/post-processing modules.
 * Nothing here may reference `window`, `self` or onnxruntime-web: both sides import it.
 */
import type { Task } from '$contract';

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
}

export const DEFAULT_OPTIONS: Required<InferenceOptions> = { conf: 0.25, iou: 0.7, maxDet: 300 };

export interface Timings {
  /** Decode to pixels, letterbox, normalise. */
  preMs: number;
  /** onnxruntime `session.run` only. */
  inferenceMs: number;
  /** Decode the output, NMS, map back to image pixels. */
  postMs: number;
}

export interface LoadedModel {
  backend: Backend;
  /** Why WebGPU was not used although it was preferred; absent when it was used or not wanted. */
  fallbackReason?: string;
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
