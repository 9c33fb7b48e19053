/**
 * The inference worker: holds one onnxruntime session and runs it off the main thread, so a
 * 200 ms inference never freezes scrolling or the camera preview. Exposed with comlink; the page
 * talks to it only through ../inference-client.ts.
 *
 * Every method answers a WorkerReply instead of throwing: comlink forwards only the message of a
 * thrown Error, and the page needs the `code` to decide what to show.
 */
import { expose } from 'comlink';
import type { ModelMetadata } from '$contract';
import {
  describeError,
  InferenceError,
  type BackendPreference,
  type DetectResult,
  type InferenceOptions,
  type LoadedModel,
  type TaskResult,
  type WorkerReply,
} from '../types';
import { assertMatchesMetadata, assertModelSize, defaultMaxModelBytes } from './model-check';
import { createSession, type OrtSession } from './ort';
import { runTask, warmUp, type RunOptions } from './task-runner';

interface Loaded {
  session: OrtSession;
  metadata: ModelMetadata;
}

let current: Loaded | undefined;

/**
 * The seam for more tasks: each task names how its output is read. Fails before the session is
 * built so an unsupported model costs nothing.
 */
function assertSupportedTask(metadata: ModelMetadata): void {
  switch (metadata.task) {
    case 'detect':
    case 'classify':
    case 'segment':
      return;
    default: {
      const unknown: never = metadata.task;
      throw new InferenceError('unsupported-task', `unknown model task "${String(unknown)}"`);
    }
  }
}

async function reply<T>(
  work: () => Promise<T>,
  fallback: InferenceError['code'],
): Promise<WorkerReply<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const code = error instanceof InferenceError ? error.code : fallback;
    return { ok: false, error: { code, message: describeError(error) } };
  }
}

export interface LoadOptions {
  backend?: BackendPreference;
  /** Refuse files above this many bytes; defaults to what the device's memory allows. */
  maxModelBytes?: number;
}

async function load(
  model: ArrayBuffer,
  metadata: ModelMetadata,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  assertSupportedTask(metadata);
  const deviceMemory = (navigator as { deviceMemory?: number }).deviceMemory;
  assertModelSize(model.byteLength, options.maxModelBytes ?? defaultMaxModelBytes(deviceMemory));
  const started = performance.now();
  let session: OrtSession;
  try {
    session = await createSession(model, options.backend ?? 'auto');
  } catch (error) {
    const message = describeError(error);
    if (error instanceof RangeError || /out of memory|allocation/i.test(message)) {
      throw new InferenceError(
        'model-too-large',
        `This device ran out of memory loading the model (${message}). Use a smaller model.`,
      );
    }
    throw new InferenceError(
      'invalid-model',
      `This file is not an ONNX model onnxruntime can load (${message}). ` +
        'Download the model.onnx that came with this metadata.json again.',
    );
  }
  let warmupMs: number;
  try {
    assertMatchesMetadata(metadata, session.inputs, session.outputs);
    // One run on a blank image: compiles kernels (the first run is several times slower) and
    // proves the outputs have the shapes the task needs, before the old model is let go.
    const t0 = performance.now();
    await warmUp(session, metadata);
    warmupMs = performance.now() - t0;
  } catch (error) {
    await session.release();
    throw error;
  }
  // Swap only once the new session works, so a failed load keeps the previous model usable.
  const previous = current;
  current = { session, metadata };
  await previous?.session.release();
  return {
    backend: session.backend,
    threads: session.threads,
    warmupMs,
    ...(session.fallbackReason ? { fallbackReason: session.fallbackReason } : {}),
    task: metadata.task,
    inputName: metadata.inputName,
    inputShape: metadata.inputShape,
    outputNames: [...session.outputNames],
    classNames: metadata.classNames,
    loadMs: performance.now() - started,
  };
}

async function run(image: ImageBitmap | Blob, options: RunOptions): Promise<TaskResult> {
  if (!current) {
    if (!(image instanceof Blob)) image.close();
    throw new InferenceError('no-model', 'No model is loaded; call loadModel() first.');
  }
  return runTask(current.session, current.metadata, image, options);
}

async function detect(image: ImageBitmap | Blob, options: InferenceOptions): Promise<DetectResult> {
  if (current && current.metadata.task !== 'detect') {
    if (!(image instanceof Blob)) image.close();
    throw new InferenceError(
      'unsupported-task',
      `the loaded model is a ${current.metadata.task} model`,
    );
  }
  const result = await run(image, options);
  if (result.task !== 'detect') throw new InferenceError('unsupported-task', 'not a detect model');
  return result;
}

const api = {
  load: (model: ArrayBuffer, metadata: ModelMetadata, options?: LoadOptions) =>
    reply(() => load(model, metadata, options), 'invalid-model'),
  detect: (image: ImageBitmap | Blob, options: InferenceOptions = {}) =>
    reply(() => detect(image, options), 'inference-failed'),
  /** Runs the loaded model, whatever its task; the answer says which. */
  run: (image: ImageBitmap | Blob, options: RunOptions = {}) =>
    reply(() => run(image, options), 'inference-failed'),
  /** Frees the session (GPU buffers, wasm heap); the worker can load another model after. */
  async dispose(): Promise<void> {
    const loaded = current;
    current = undefined;
    await loaded?.session.release();
  },
};

export type InferenceWorkerApi = typeof api;

expose(api);
