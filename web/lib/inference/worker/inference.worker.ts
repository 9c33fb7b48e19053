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
import type { BackendRequest, WebGpuProbe } from '../backend-choice';
import { inputSize } from '../pixel-pipeline';
import { openForRequest, type BackendBoundary } from './backend-selector';
import { assertMatchesMetadata, assertModelSize, defaultMaxModelBytes } from './model-check';
import { createSession, probeWebGpu, type OrtSession, type SessionTuning } from './ort';
import type { EvalLabels, ImageStats } from '$lib/evaluation/image-stats';
import { evaluateTask, runTask, warmUp, type RunOptions } from './task-runner';

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

export interface LoadOptions extends Partial<BackendRequest> {
  backend?: BackendPreference;
  /** Refuse files above this many bytes; defaults to what the device's memory allows. */
  maxModelBytes?: number;
  /** onnxruntime session options to try instead of the defaults (benchmarks only). */
  tuning?: SessionTuning;
}

/** Warm runs timed per backend when a load benchmarks them (after one untimed run). */
const BENCHMARK_RUNS = 3;

/**
 * onnxruntime behind the selector's boundary, for one model's bytes and metadata; `warmup.ms`
 * ends up holding the last verify run's time (the warm-up of the session that is kept).
 */
function ortBoundary(
  bytes: Uint8Array,
  metadata: ModelMetadata,
  warmup: { ms: number },
  tuning: SessionTuning = {},
): BackendBoundary {
  return {
    webGpuUnavailable: async () => (await probeWebGpu()).unavailable,
    open: (backend) => createSession(bytes, backend, tuning),
    async measure(session) {
      const [height, width] = inputSize(metadata);
      const times: number[] = [];
      for (let i = 0; i <= BENCHMARK_RUNS; i++) {
        const input = { data: new Float32Array(3 * height * width), dims: [1, 3, height, width] };
        const t0 = performance.now();
        await session.run(input);
        if (i > 0) times.push(performance.now() - t0); // the first run compiles kernels
      }
      return times.sort((a, b) => a - b)[times.length >> 1]!;
    },
    // One run on a blank image: compiles kernels (the first run is several times slower) and
    // proves the outputs have the shapes the task needs, before the old model is let go.
    async verify(session) {
      assertMatchesMetadata(metadata, session.inputs, session.outputs);
      const t0 = performance.now();
      await warmUp(session, metadata);
      warmup.ms = performance.now() - t0;
    },
  };
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
  let opened: Awaited<ReturnType<typeof openForRequest>>;
  const warmup = { ms: 0 };
  try {
    // The bytes stay referenced by the boundary: a WebGPU session that fails in a later run is
    // reopened on WASM from them.
    opened = await openForRequest(
      ortBoundary(new Uint8Array(model), metadata, warmup, options.tuning),
      {
        backend: options.backend ?? 'auto',
        ...(options.benchmark ? { benchmark: true } : {}),
        ...(options.remembered ? { remembered: options.remembered } : {}),
      },
    );
  } catch (error) {
    if (error instanceof InferenceError) throw error;
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
  const { session, choice } = opened;
  // Swap only once the new session works, so a failed load keeps the previous model usable.
  const previous = current;
  current = { session, metadata };
  await previous?.session.release();
  return {
    backend: session.backend,
    threads: session.threads,
    warmupMs: warmup.ms,
    choice,
    ...(choice.backend === 'wasm' && choice.reason?.startsWith('WebGPU')
      ? { fallbackReason: choice.reason }
      : {}),
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
  const { session } = current;
  const result = await runTask(session, current.metadata, image, options);
  // Every answer after a WebGPU failure says so, whichever call the page is watching.
  return session.fallbackReason ? { ...result, fallbackReason: session.fallbackReason } : result;
}

/** One picture of an evaluation: the stats it adds (boxes, masks or top-5 against `labels`). */
async function evaluate(
  image: ImageBitmap | Blob,
  labels: EvalLabels,
  options: InferenceOptions,
): Promise<ImageStats> {
  if (!current) {
    if (!(image instanceof Blob)) image.close();
    throw new InferenceError('no-model', 'No model is loaded; call loadModel() first.');
  }
  return evaluateTask(current.session, current.metadata, image, labels, options);
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
  /** Whether WebGPU can be used and this device's name, asked before a load (cached). */
  probe: (): Promise<WebGpuProbe> => probeWebGpu(),
  load: (model: ArrayBuffer, metadata: ModelMetadata, options?: LoadOptions) =>
    reply(() => load(model, metadata, options), 'invalid-model'),
  detect: (image: ImageBitmap | Blob, options: InferenceOptions = {}) =>
    reply(() => detect(image, options), 'inference-failed'),
  /** Runs the loaded model, whatever its task; the answer says which. */
  run: (image: ImageBitmap | Blob, options: RunOptions = {}) =>
    reply(() => run(image, options), 'inference-failed'),
  /** One picture of an evaluation, scored here so the page only adds up small records. */
  evaluate: (image: ImageBitmap | Blob, labels: EvalLabels, options: InferenceOptions = {}) =>
    reply(() => evaluate(image, labels, options), 'inference-failed'),
  /** Frees the session (GPU buffers, wasm heap); the worker can load another model after. */
  async dispose(): Promise<void> {
    const loaded = current;
    current = undefined;
    await loaded?.session.release();
  },
};

export type InferenceWorkerApi = typeof api;

expose(api);
