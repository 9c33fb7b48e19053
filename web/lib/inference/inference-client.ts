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
  /** 'auto' (default) uses WebGPU when available. */
  backend?: BackendPreference;
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
  /** Ends the worker and rejects queued calls; the next call starts a fresh worker (reload the model). */
  dispose(): void;
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

export function createInferenceClient(createWorker: () => Worker = startWorker): InferenceClient {
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

  return {
    loadModel(model, metadata, options = {}) {
      return enqueue(
        (c) =>
          c.remote.load(transfer(model, [model]), metadata, {
            backend: options.backend ?? 'auto',
            ...(options.maxModelBytes ? { maxModelBytes: options.maxModelBytes } : {}),
          }),
        options.signal,
      );
    },

    detect(image, options = {}) {
      const { signal, ...inference } = options;
      return enqueue(
        // A Blob crosses by reference and is decoded in the worker; a bitmap is transferred.
        (c) => c.remote.detect(image instanceof Blob ? image : transfer(image, [image]), inference),
        signal,
        () => (image instanceof Blob ? undefined : image.close()),
      );
    },

    run(image, options = {}) {
      const { signal, ...inference } = options;
      return enqueue(
        (c) => c.remote.run(image instanceof Blob ? image : transfer(image, [image]), inference),
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
