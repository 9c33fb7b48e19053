/**
 * Opens a model's session on the backend a load asks for (../backend-choice.ts) and keeps it
 * working when WebGPU gives out: a session created on WebGPU is wrapped so that an error in a
 * run reopens the model on WASM and retries that same run, so the page never loses its model.
 * onnxruntime stays behind `BackendBoundary` (ort.ts in the worker, fakes in the spec).
 */
import {
  chooseByTimings,
  WEBGPU_UNAVAILABLE,
  webGpuFailed,
  type BackendChoice,
  type BackendRequest,
} from '../backend-choice';
import type { Backend } from '../types';
import type { OrtSession } from './ort';

export interface BackendBoundary {
  /** Why WebGPU cannot be used here, or undefined when it can. */
  webGpuUnavailable(): Promise<string | undefined>;
  open(backend: Backend): Promise<OrtSession>;
  /** Median milliseconds of a few warm runs of `session`. */
  measure(session: OrtSession): Promise<number>;
  /** Checks the session answers as the metadata says (throws a clear error otherwise). */
  verify(session: OrtSession): Promise<void>;
}

export interface OpenedSession {
  session: OrtSession;
  choice: BackendChoice;
}

/** Opens and verifies a session as `request` asks; WebGPU trouble ends on a verified WASM one. */
export async function openForRequest(
  boundary: BackendBoundary,
  request: BackendRequest,
): Promise<OpenedSession> {
  if (request.backend === 'wasm') {
    const session = await openVerified(boundary, 'wasm');
    return { session, choice: request.remembered ?? { backend: 'wasm' } };
  }
  const unavailable = await boundary.webGpuUnavailable();
  if (unavailable) {
    const session = await openVerified(boundary, 'wasm');
    return { session, choice: { backend: 'wasm', reason: WEBGPU_UNAVAILABLE } };
  }
  if (request.backend === 'auto' && request.benchmark) return benchmark(boundary);
  let gpu: OrtSession | undefined;
  try {
    gpu = withWasmFallback(await boundary.open('webgpu'), boundary);
    await boundary.verify(gpu);
  } catch (error) {
    await gpu?.release().catch(() => undefined);
    const session = await openVerified(boundary, 'wasm');
    return { session, choice: { backend: 'wasm', reason: webGpuFailed(error) } };
  }
  // The verify run may itself have moved the session to WASM.
  return {
    session: gpu,
    choice:
      gpu.backend === 'webgpu'
        ? (request.remembered ?? { backend: 'webgpu' })
        : { backend: 'wasm', reason: gpu.fallbackReason },
  };
}

/** Times WASM, then WebGPU, on the same model and keeps the faster session. */
async function benchmark(boundary: BackendBoundary): Promise<OpenedSession> {
  // WASM first: it always works, so a bad model is refused with the CPU's clear message.
  const wasm = await openVerified(boundary, 'wasm');
  let wasmMs: number;
  try {
    wasmMs = await boundary.measure(wasm);
  } catch (error) {
    await wasm.release();
    throw error;
  }
  let gpu: OrtSession | undefined;
  let gpuResult: number | Error;
  try {
    gpu = await boundary.open('webgpu');
    await boundary.verify(gpu);
    gpuResult = await boundary.measure(gpu);
  } catch (error) {
    gpuResult = error instanceof Error ? error : new Error(String(error));
  }
  const choice = chooseByTimings(wasmMs, gpuResult);
  if (choice.backend === 'webgpu' && gpu) {
    await wasm.release();
    return { session: withWasmFallback(gpu, boundary), choice };
  }
  await gpu?.release().catch(() => undefined);
  return { session: wasm, choice };
}

async function openVerified(boundary: BackendBoundary, backend: Backend): Promise<OrtSession> {
  const session = await boundary.open(backend);
  try {
    await boundary.verify(session);
  } catch (error) {
    await session.release();
    throw error;
  }
  return session;
}

/**
 * A session that starts on WebGPU and moves itself to WASM the first time a run fails there:
 * the failed run is retried on WASM, later runs stay there, and `fallbackReason` says why from
 * then on (the worker tags every later result with it). A run that fails on WASM too is the
 * model's or the input's fault and is thrown as it is.
 */
export function withWasmFallback(
  gpu: OrtSession,
  boundary: Pick<BackendBoundary, 'open'>,
): OrtSession {
  let inner = gpu;
  let reason: string | undefined;
  let moving: Promise<OrtSession> | undefined;
  const moveToWasm = (error: unknown): Promise<OrtSession> => {
    moving ??= (async () => {
      const wasm = await boundary.open('wasm');
      const failed = inner;
      inner = wasm;
      reason = webGpuFailed(error);
      await failed.release().catch(() => undefined); // a broken device may refuse this too
      console.warn(`[inference] ${reason}; moved to wasm`);
      return wasm;
    })();
    return moving;
  };
  return {
    get backend() {
      return inner.backend;
    },
    get fallbackReason() {
      return reason;
    },
    get inputNames() {
      return inner.inputNames;
    },
    get outputNames() {
      return inner.outputNames;
    },
    get inputs() {
      return inner.inputs;
    },
    get outputs() {
      return inner.outputs;
    },
    get threads() {
      return inner.threads;
    },
    async run(input) {
      const current = inner;
      try {
        return await current.run(input);
      } catch (error) {
        if (current.backend !== 'webgpu') throw error;
        return (await moveToWasm(error)).run(input);
      }
    },
    release: () => inner.release(),
  };
}
