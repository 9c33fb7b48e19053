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
  type WorkerReply,
} from '../types';
import { runDetect } from './detect-runner';
import { createSession, type OrtSession } from './ort';

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
      return;
    case 'classify':
    case 'segment':
      throw new InferenceError(
        'unsupported-task',
        `${metadata.task} models are not supported yet; train a detect model to run it in the browser.`,
      );
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

async function load(
  model: ArrayBuffer,
  metadata: ModelMetadata,
  backend: BackendPreference = 'auto',
): Promise<LoadedModel> {
  assertSupportedTask(metadata);
  const started = performance.now();
  let session: OrtSession;
  try {
    session = await createSession(model, backend);
  } catch (error) {
    throw new InferenceError(
      'invalid-model',
      `onnxruntime could not load the model: ${describeError(error)}. ` +
        'Check that the file is a complete ONNX export (opset 17 or lower is safest).',
    );
  }
  if (!session.inputNames.includes(metadata.inputName)) {
    await session.release();
    throw new InferenceError(
      'invalid-model',
      `metadata names input "${metadata.inputName}" but the model's inputs are ` +
        `${session.inputNames.join(', ')}; metadata.json does not belong to this model.onnx.`,
    );
  }
  // Swap only once the new session works, so a failed load keeps the previous model usable.
  const previous = current;
  current = { session, metadata };
  await previous?.session.release();
  return {
    backend: session.backend,
    ...(session.fallbackReason ? { fallbackReason: session.fallbackReason } : {}),
    task: metadata.task,
    inputName: metadata.inputName,
    inputShape: metadata.inputShape,
    outputNames: [...session.outputNames],
    classNames: metadata.classNames,
    loadMs: performance.now() - started,
  };
}

async function detect(image: ImageBitmap, options: InferenceOptions): Promise<DetectResult> {
  if (!current) {
    image.close();
    throw new InferenceError('no-model', 'No model is loaded; call loadModel() before detect().');
  }
  if (current.metadata.task !== 'detect') {
    image.close();
    throw new InferenceError(
      'unsupported-task',
      `the loaded model is a ${current.metadata.task} model`,
    );
  }
  return runDetect(current.session, current.metadata, image, options);
}

const api = {
  load: (model: ArrayBuffer, metadata: ModelMetadata, backend?: BackendPreference) =>
    reply(() => load(model, metadata, backend), 'invalid-model'),
  detect: (image: ImageBitmap, options: InferenceOptions = {}) =>
    reply(() => detect(image, options), 'inference-failed'),
  /** Frees the session (GPU buffers, wasm heap); the worker can load another model after. */
  async dispose(): Promise<void> {
    const loaded = current;
    current = undefined;
    await loaded?.session.release();
  },
};

export type InferenceWorkerApi = typeof api;

expose(api);
