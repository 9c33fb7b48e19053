/**
 * The only module that imports onnxruntime-web. It decides where the graph runs, where the
 * runtime's .wasm/.mjs files come from, and creates sessions one at a time.
 *
 * Runtime files: the `?url` imports below make Vite copy the two files into the build as hashed
 * assets (`_app/immutable/assets/ort-wasm-simd-threaded.asyncify-<hash>.{mjs,wasm}`) and hand us
 * their URLs; in `vite dev` the same imports resolve to /node_modules/... paths that the dev
 * server serves. So nothing depends on a CDN, the files are part of the app the service worker
 * can cache, and a new onnxruntime version changes the hash instead of serving a stale runtime.
 *
 * Build: 'onnxruntime-web/webgpu' ships one runtime (the "asyncify" wasm) that runs both the
 * WebGPU execution provider and the plain CPU ('wasm') one, so the fallback needs no second
 * download.
 *
 * Runs in the worker only: it reads `navigator.gpu` and `self.crossOriginIsolated` of the worker.
 */
import * as ort from 'onnxruntime-web/webgpu';
import runtimeMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import runtimeWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { describeError as describe, type Backend, type BackendPreference, type Float32Tensor } from '../types';

export interface OrtSession {
  backend: Backend;
  /** Why WebGPU was not used although preferred; absent otherwise. */
  fallbackReason?: string;
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Feeds `input` to the model's only input; returns every output by name. */
  run(input: Float32Tensor): Promise<Record<string, Float32Tensor>>;
  release(): Promise<void>;
}

let configured = false;

function configureOnce(): void {
  if (configured) return;
  configured = true;
  ort.env.wasm.wasmPaths = { mjs: runtimeMjsUrl, wasm: runtimeWasmUrl };
  // Threads need SharedArrayBuffer, which only a cross-origin isolated context has; asking for
  // more without it makes onnxruntime warn and use one anyway. Four is where YOLO-n stops gaining.
  ort.env.wasm.numThreads = self.crossOriginIsolated
    ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))
    : 1;
  // We are already in a worker; onnxruntime's own proxy worker would only add a copy.
  ort.env.wasm.proxy = false;
}

/** `navigator.gpu` is not in TypeScript's DOM/worker libs yet; this is the part we touch. */
interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

let webGpuProbe: Promise<string | undefined> | undefined;

/** Resolves to undefined when WebGPU can be used, else to the reason it cannot. */
function probeWebGpu(): Promise<string | undefined> {
  webGpuProbe ??= (async () => {
    const gpu = (navigator as GpuNavigator).gpu;
    if (!gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
    try {
      return (await gpu.requestAdapter()) ? undefined : 'no WebGPU adapter is available';
    } catch (error) {
      return `requesting a WebGPU adapter failed: ${describe(error)}`;
    }
  })();
  return webGpuProbe;
}

// Session creation compiles the graph and, for WebGPU, shaders; two at once only compete for
// the same threads and GPU queue, and onnxruntime's one-time init must not run twice.
let creationQueue: Promise<unknown> = Promise.resolve();

export function createSession(
  model: ArrayBuffer,
  preference: BackendPreference = 'auto',
): Promise<OrtSession> {
  const created = creationQueue.then(() => createSerially(model, preference));
  creationQueue = created.catch(() => undefined);
  return created;
}

async function createSerially(model: ArrayBuffer, preference: BackendPreference): Promise<OrtSession> {
  configureOnce();
  const bytes = new Uint8Array(model);
  if (preference === 'wasm') return wrap(await open(bytes, 'wasm'), 'wasm');

  const unavailable = await probeWebGpu();
  if (unavailable) return wrap(await open(bytes, 'wasm'), 'wasm', preferenceNote(preference, unavailable));
  try {
    return wrap(await open(bytes, 'webgpu'), 'webgpu');
  } catch (error) {
    // A driver or an unsupported op can still fail here; the CPU always works, only slower.
    const reason = `WebGPU session creation failed: ${describe(error)}`;
    console.warn(`[inference] ${reason}; using wasm`);
    return wrap(await open(bytes, 'wasm'), 'wasm', reason);
  }
}

function preferenceNote(preference: BackendPreference, reason: string): string | undefined {
  return preference === 'auto' || preference === 'webgpu' ? reason : undefined;
}

function open(bytes: Uint8Array, backend: Backend): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
  });
}

function wrap(session: ort.InferenceSession, backend: Backend, fallbackReason?: string): OrtSession {
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  return {
    backend,
    ...(fallbackReason ? { fallbackReason } : {}),
    inputNames,
    outputNames,
    async run(input) {
      if (inputNames.length !== 1) {
        throw new Error(`model has ${inputNames.length} inputs (${inputNames.join(', ')}); expected 1`);
      }
      const feed = new ort.Tensor('float32', input.data, input.dims);
      const results = await session.run({ [inputNames[0]!]: feed });
      const outputs: Record<string, Float32Tensor> = {};
      for (const name of outputNames) {
        const tensor = results[name];
        if (!tensor) throw new Error(`model returned no output named ${name}`);
        if (tensor.type !== 'float32') {
          throw new Error(`output ${name} is ${tensor.type}; export the model as float32 (half=False)`);
        }
        // getData() downloads from the GPU when the output lives there; on wasm it is a view.
        outputs[name] = { data: (await tensor.getData()) as Float32Array, dims: tensor.dims };
        tensor.dispose();
      }
      return outputs;
    },
    release: () => session.release(),
  };
}
