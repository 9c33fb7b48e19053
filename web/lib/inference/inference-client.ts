/**
 * The page's only door to the inference worker (page code: never touches `self`). It owns
 * `comlink.wrap`, starts the worker on first use, runs calls one at a time in call order, and
 * turns every failure into an InferenceError whose message says what to do.
 *
 * Why one at a time: the worker holds one session and onnxruntime runs one inference at a time
 * anyway; queueing here keeps call order and means a queued photo is only decoded when its turn
 * comes, so a batch of 200 photos does not decode 200 bitmaps at once.
 */
/* eslint no-restricted-globals: ['error', 'self'] -- page code: `self` would be the window here */
import { transfer, wrap, type Remote } from 'comlink';
import type { ModelMetadata } from '$contract';
import { backendChoices } from '$lib/db/backend-choices';
import type { EvalLabels, ImageStats } from '$lib/evaluation/image-stats';
import { planLoad, type BackendChoice, type BackendChoiceStore } from './backend-choice';
import {
  InferenceError,
  type BackendPreference,
  type ClassifyOptions,
  type DetectResult,
  type TaskResult,
  type InferenceOptions,
  type LoadedModel,
  type WorkerReply,
} from './types';
import type { InferenceWorkerApi } from './worker/inference.worker';

export interface LoadModelOptions {
  /**
   * 'auto' (default): WASM where WebGPU is missing; else the backend that won this device's
   * one-time benchmark of this model (run now on the first load, then remembered).
   */
  backend?: BackendPreference;
  /** Hex SHA-256 of `model` when the caller knows it (the registry's); else hashed when needed. */
  sha256?: string;
  /** Refuse model files above this many bytes (default: what the device's memory allows). */
  maxModelBytes?: number;
  /** Rejects the call with code 'aborted'; a load already in the worker still completes there. */
  signal?: AbortSignal;
}

export interface DetectOptions extends InferenceOptions {
  /** Rejects the call with code 'aborted'; a photo already in the worker still finishes there. */
  signal?: AbortSignal;
}

export interface RunOptions extends DetectOptions, ClassifyOptions {}

export interface InferenceClient {
  /** `model` is transferred to the worker: the caller's ArrayBuffer is empty afterwards. */
  loadModel(
    model: ArrayBuffer,
    metadata: ModelMetadata,
    options?: LoadModelOptions,
  ): Promise<LoadedModel>;
  /**
   * A Blob is decoded here, when its turn comes, with EXIF orientation applied. An ImageBitmap is
   * transferred to the worker and closed there (or here, if the call is cancelled first).
   */
  detect(image: Blob | ImageBitmap, options?: DetectOptions): Promise<DetectResult>;
  /** Runs the loaded model whatever its task (detect, segment, classify); the answer says which. */
  run(image: Blob | ImageBitmap, options?: RunOptions): Promise<TaskResult>;
  /**
   * One picture of an in-browser evaluation: the model runs with `options` (the validator's,
   * VAL_OPTIONS) and the worker scores its answer against `labels` (the model's classes).
   */
  evaluate(
    image: Blob | ImageBitmap,
    labels: EvalLabels,
    options?: DetectOptions,
  ): Promise<ImageStats>;
  /** Ends the worker and rejects queued calls; the next call starts a fresh worker (reload the model). */
  dispose(): void;
}

export interface InferenceClientOptions {
  /** Where backend choices are remembered per (model, device); IndexedDB by default. */
  choices?: BackendChoiceStore;
  /**
   * Told when the backend changes after a load: a run failed on WebGPU and the worker moved the
   * session to WASM (the answer of that run came from WASM).
   */
  onBackendChange?(choice: BackendChoice): void;
}

interface Connection {
  worker: Worker;
  remote: Remote<InferenceWorkerApi>;
  /**
   * Rejects when the worker dies (its script failed, it ran out of memory) or is disposed: a
   * comlink call to a dead worker would otherwise never settle and stall the queue for good.
   */
  closed: Promise<never>;
  close(error: InferenceError): void;
}

function startWorker(): Worker {
  // Literal `new Worker(new URL(...))` so Vite bundles the worker and its imports as a module.
  return new Worker(new URL('./worker/inference.worker.ts', import.meta.url), {
    type: 'module',
    name: 'inference',
  });
}

export function createInferenceClient(
  createWorker: () => Worker = startWorker,
  clientOptions: InferenceClientOptions = {},
): InferenceClient {
  const choices = clientOptions.choices ?? backendChoices;
  /** The loaded model's choice and where it is remembered (absent when it is not). */
  let active: { choice: BackendChoice; key?: [string, string] } | undefined;
  let connection: Connection | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let generation = 0;

  function connect(): Connection {
    if (connection) return connection;
    const worker = createWorker();
    let close!: (error: InferenceError) => void;
    const closed = new Promise<never>((_, reject) => {
      close = (error) => {
        if (connection?.worker === worker) connection = undefined;
        worker.terminate();
        reject(error);
      };
    });
    closed.catch(() => undefined); // observed by each call's race; never an unhandled rejection
    const fail = (event: Event) => {
      // ErrorEvent carries the script error; a 'messageerror' is a plain Event.
      const message = (event as Partial<ErrorEvent>).message;
      const detail = message ? `: ${message}` : '';
      close(
        new InferenceError(
          'worker-failed',
          `The inference worker stopped${detail}. Load the model again and retry; if it keeps ` +
            'happening, the model may be too large for this device.',
        ),
      );
    };
    worker.addEventListener('error', fail);
    worker.addEventListener('messageerror', fail);
    connection = { worker, remote: wrap<InferenceWorkerApi>(worker), closed, close };
    return connection;
  }

  /**
   * Runs `job` after every earlier call has settled; `signal` can drop it while it waits, and
   * `skipped` then frees what the job would have handed to the worker.
   */
  function enqueue<T>(
    job: (c: Connection) => Promise<WorkerReply<T>>,
    signal?: AbortSignal,
    skipped?: () => void,
  ): Promise<T> {
    const myGeneration = generation;
    const run = queue.then(async () => {
      const reason =
        myGeneration !== generation
          ? disposedError()
          : signal?.aborted
            ? abortedError()
            : undefined;
      if (reason) {
        skipped?.();
        throw reason;
      }
      const c = connect();
      const answer = await Promise.race([job(c), c.closed]);
      if (!answer.ok) throw new InferenceError(answer.error.code, answer.error.message);
      return answer.value;
    });
    queue = run.catch(() => undefined);
    return signal ? raceAbort(run, signal) : run;
  }

  /**
   * One load: asks the worker whether WebGPU exists and, when it does, looks up this model's
   * remembered backend (or has the worker benchmark both and remembers the winner).
   */
  async function load(
    c: Connection,
    model: ArrayBuffer,
    metadata: ModelMetadata,
    options: LoadModelOptions,
  ): Promise<WorkerReply<LoadedModel>> {
    const preference = options.backend ?? 'auto';
    // A worker that cannot say (an older build) loads as it always did.
    const probe = preference === 'auto' ? await c.remote.probe().catch(() => undefined) : undefined;
    let key: [string, string] | undefined;
    let remembered: BackendChoice | undefined;
    if (probe && !probe.unavailable) {
      // Hashed before the bytes are transferred away; a storage error only costs a benchmark.
      key = [options.sha256 ?? (await sha256Hex(model)), probe.device];
      remembered = await choices.get(...key).catch(() => undefined);
    }
    const request = probe ? planLoad(preference, probe, remembered) : { backend: preference };
    const answer = await c.remote.load(transfer(model, [model]), metadata, {
      ...request,
      ...(options.maxModelBytes ? { maxModelBytes: options.maxModelBytes } : {}),
    });
    if (answer.ok) {
      const { choice } = answer.value;
      active = { choice, ...(key ? { key } : {}) };
      if (key && (request.benchmark || choice.backend !== request.backend)) remember(key, choice);
    }
    return answer;
  }

  function remember(key: [string, string], choice: BackendChoice): void {
    choices.put(...key, choice).catch((error: unknown) => {
      console.warn('[inference] could not remember the backend choice', error);
    });
  }

  /** A run that answered from WASM after a WebGPU failure: remember it and tell the page. */
  function noticeFallback<T extends TaskResult | DetectResult>(result: T): T {
    const reason = (result as TaskResult).fallbackReason;
    if (reason && active && active.choice.backend === 'webgpu') {
      active = { ...active, choice: { backend: 'wasm', reason } };
      if (active.key) remember(active.key, active.choice);
      clientOptions.onBackendChange?.(active.choice);
    }
    return result;
  }

  return {
    loadModel(model, metadata, options = {}) {
      return enqueue((c) => load(c, model, metadata, options), options.signal);
    },

    detect(image, options = {}) {
      const { signal, ...inference } = options;
      return enqueue(
        // A Blob crosses by reference and is decoded in the worker; a bitmap is transferred.
        (c) => c.remote.detect(image instanceof Blob ? image : transfer(image, [image]), inference),
        signal,
        () => (image instanceof Blob ? undefined : image.close()),
      ).then(noticeFallback);
    },

    run(image, options = {}) {
      const { signal, ...inference } = options;
      return enqueue(
        (c) => c.remote.run(image instanceof Blob ? image : transfer(image, [image]), inference),
        signal,
        () => (image instanceof Blob ? undefined : image.close()),
      ).then(noticeFallback);
    },

    evaluate(image, labels, options = {}) {
      const { signal, ...inference } = options;
      return enqueue(
        (c) =>
          c.remote.evaluate(
            image instanceof Blob ? image : transfer(image, [image]),
            labels,
            inference,
          ),
        signal,
        () => (image instanceof Blob ? undefined : image.close()),
      );
    },

    dispose() {
      generation++;
      connection?.close(disposedError());
    },
  };
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function abortedError(): InferenceError {
  return new InferenceError('aborted', 'The call was cancelled.');
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError());
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function disposedError(): InferenceError {
  return new InferenceError('disposed', 'The inference client was disposed; load the model again.');
}
