/**
 * The only module that imports onnxruntime-web. It decides where the graph runs, where the
 * runtime's .wasm/.mjs files come from, and creates sessions one at a time.
 *
 * Two runtime builds, loaded on demand, because one does not fit both backends:
 * - 'wasm'   -> onnxruntime-web/wasm   (ort-wasm-simd-threaded.wasm, 14 MB, CPU only);
 * - 'webgpu' -> onnxruntime-web/webgpu (ort-wasm-simd-threaded.asyncify.wasm, 27 MB, WebGPU EP).
 * The WebGPU build can run the CPU EP too, but its asyncify instrumentation made yolo11n 2.7x
 * slower there (Node, 1 thread: 245 ms vs 90 ms at 160 px), and most phones run on the CPU.
 * A device downloads only the build it uses, plus the CPU one when WebGPU is benchmarked or fails.
 *
 * File locations: the `?url` imports make Vite copy the runtime files into the build as hashed
 * assets (`_app/immutable/assets/ort-wasm-simd-threaded[.asyncify]-<hash>.{mjs,wasm}`) and give
 * us their URLs; in `vite dev` they resolve to /node_modules/... paths the dev server serves.
 * No CDN, the service worker can cache them like any asset, and a new onnxruntime version gets
 * new names instead of a stale cached runtime. Passing the .mjs too (not only the .wasm) makes
 * onnxruntime import the glue from its own file, so its thread workers start from that file and
 * not from this worker's bundle.
 *
 * Runs in the worker only: reads the worker's `navigator.gpu` and `self.crossOriginIsolated`.
 */
import type * as Ort from 'onnxruntime-web';
import cpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import cpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import gpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import gpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { WebGpuProbe } from '../backend-choice';
import { describeError as describe, type Backend, type Float32Tensor } from '../types';
import { float32Outputs, onlyInput } from '../session-io';
import type { ValueInfo } from './model-check';

export interface OrtSession {
  backend: Backend;
  /** Set once a WebGPU session moved to WASM after a failed run (./backend-selector.ts). */
  readonly fallbackReason?: string;
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Names and shapes onnxruntime reads from the graph (shape [] where it cannot tell). */
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  /** wasm threads onnxruntime uses (fixed per page load). */
  threads: number;
  /** Feeds `input` to the model's only input; returns every output by name. */
  run(input: Float32Tensor): Promise<Record<string, Float32Tensor>>;
  release(): Promise<void>;
}

type Runtime = typeof Ort;

const runtimes = new Map<Backend, Promise<Runtime>>();

/** Imports and configures a runtime build once; each build has its own `env`. */
function runtime(backend: Backend): Promise<Runtime> {
  let loading = runtimes.get(backend);
  if (!loading) {
    loading = (
      backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')
    ).then((ort) => {
      ort.env.wasm.wasmPaths =
        backend === 'webgpu'
          ? { mjs: gpuMjsUrl, wasm: gpuWasmUrl }
          : { mjs: cpuMjsUrl, wasm: cpuWasmUrl };
      // Threads need SharedArrayBuffer, which only a cross-origin isolated context has; without
      // it onnxruntime would warn and use one thread anyway. Four is where YOLO-n stops gaining.
      ort.env.wasm.numThreads = self.crossOriginIsolated
        ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))
        : 1;
      // We are already in a worker; onnxruntime's own proxy worker would only add a copy.
      ort.env.wasm.proxy = false;
      return ort;
    });
    // A failed import (offline before the runtime was cached) may succeed on a later try.
    void loading.catch(() => runtimes.delete(backend));
    runtimes.set(backend, loading);
  }
  return loading;
}

/** `navigator.gpu` is not in TypeScript's DOM/worker libs yet; this is the part we touch. */
interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> };
}

let webGpuProbe: Promise<WebGpuProbe> | undefined;

/**
 * Whether WebGPU can be used here, and a name for this device's GPU and browser build: the key
 * under which the page remembers which backend won the benchmark (../backend-choice.ts).
 */
export function probeWebGpu(): Promise<WebGpuProbe> {
  webGpuProbe ??= (async () => {
    const browser = navigator.userAgent;
    const gpu = (navigator as GpuNavigator).gpu;
    if (!gpu) {
      return {
        unavailable: 'this browser has no WebGPU (navigator.gpu is missing)',
        device: browser,
      };
    }
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) return { unavailable: 'no WebGPU adapter is available', device: browser };
      const info = adapter.info ?? {};
      const name = ['vendor', 'architecture', 'device', 'description']
        .map((k) => String(info[k] ?? ''))
        .join('/');
      return { device: `${name} | ${browser}` };
    } catch (error) {
      return {
        unavailable: `requesting a WebGPU adapter failed: ${describe(error)}`,
        device: browser,
      };
    }
  })();
  return webGpuProbe;
}

/**
 * Session options a benchmark may vary (bench/inference-bench.ts --tune); the app uses the
 * defaults in `open`. Plain data so it crosses comlink.
 */
export interface SessionTuning {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  enableMemPattern?: boolean;
  enableCpuMemArena?: boolean;
  executionMode?: 'sequential' | 'parallel';
  /** onnxruntime's `session.intra_op.allow_spinning`: idle threads spin ('1') or sleep ('0'). */
  allowSpinning?: boolean;
}

// Session creation compiles the graph and, for WebGPU, shaders; two at once only compete for
// the same threads and GPU queue, and onnxruntime's one-time init must not run twice at once.
let creationQueue: Promise<unknown> = Promise.resolve();

/**
 * Creates a session for `model` (an ONNX file's bytes) on `backend`, one creation at a time.
 * Which backend, and what happens when WebGPU fails, is ./backend-selector.ts's business.
 */
export function createSession(
  model: ArrayBuffer | Uint8Array,
  backend: Backend,
  tuning: SessionTuning = {},
): Promise<OrtSession> {
  const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
  const created = creationQueue.then(() => open(bytes, backend, tuning));
  creationQueue = created.catch(() => undefined);
  return created;
}

async function open(
  bytes: Uint8Array,
  backend: Backend,
  { allowSpinning, ...options }: SessionTuning,
): Promise<OrtSession> {
  const ort = await runtime(backend);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    ...options,
    ...(allowSpinning === undefined
      ? {}
      : { extra: { session: { intra_op: { allow_spinning: allowSpinning ? '1' : '0' } } } }),
  });
  return wrap(ort, session, backend);
}

function wrap(ort: Runtime, session: Ort.InferenceSession, backend: Backend): OrtSession {
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  return {
    backend,
    inputNames,
    outputNames,
    inputs: valueInfos(inputNames, () => session.inputMetadata),
    outputs: valueInfos(outputNames, () => session.outputMetadata),
    threads: ort.env.wasm.numThreads ?? 1,
    async run(input) {
      const feed = new ort.Tensor('float32', input.data, input.dims);
      const results = await session.run({ [onlyInput(inputNames)]: feed });
      return float32Outputs(results, outputNames);
    },
    release: () => session.release(),
  };
}

function valueInfos(
  names: readonly string[],
  read: () => readonly Ort.InferenceSession.ValueMetadata[],
): ValueInfo[] {
  let metadata: readonly Ort.InferenceSession.ValueMetadata[] = [];
  try {
    metadata = read();
  } catch {
    // Older runtimes do not expose shapes; the warm-up run still checks the outputs.
  }
  return names.map((name) => {
    const m = metadata.find((v) => v.name === name);
    return { name, shape: m?.isTensor ? [...m.shape] : [] };
  });
}
