/**
 * Which backend a model runs on, and why, in words the page shows. WebGPU is not always faster
 * (small models at 320 px often lose to multi-threaded WASM once upload and readback are paid)
 * and crashes on some drivers, so the first load of a model on a device where WebGPU exists
 * times both and the winner is remembered per (model SHA-256, device); an error on WebGPU at
 * load or run moves the session to WASM. Pure: the worker, the bridge and their specs share it.
 */
import type { Backend, BackendPreference } from './types';

/** The reason shown when the browser has no usable WebGPU adapter. */
export const WEBGPU_UNAVAILABLE = 'WebGPU not available';

export interface BackendTimings {
  /** Median milliseconds of a few warm runs on a blank image, per backend. */
  wasm: number;
  /** Absent when WebGPU failed before it could be timed. */
  webgpu?: number;
}

export interface BackendChoice {
  backend: Backend;
  /** Why this backend; shown in brackets after its name. Absent when nothing needs saying. */
  reason?: string;
  /** The benchmark that decided it, when one ran (now or on an earlier load). */
  timings?: BackendTimings;
}

/** What the worker learns about WebGPU before a load (cached per worker). */
export interface WebGpuProbe {
  /** Undefined when WebGPU can be used, else why not (for the log; the page says WEBGPU_UNAVAILABLE). */
  unavailable?: string;
  /** Names the GPU adapter and browser build, so a new GPU or browser is benchmarked afresh. */
  device: string;
}

/** How the worker is asked to pick the backend of one load. */
export interface BackendRequest {
  backend: BackendPreference;
  /** With 'auto' and WebGPU present: time both backends and keep the faster. */
  benchmark?: boolean;
  /** A choice remembered from an earlier load, to keep its reason and timings on display. */
  remembered?: BackendChoice;
}

/** The bridge's decision for one load, from the caller's wish, the probe and the memory. */
export function planLoad(
  preference: BackendPreference,
  probe: WebGpuProbe,
  remembered: BackendChoice | undefined,
): BackendRequest {
  if (preference !== 'auto' || probe.unavailable) return { backend: preference };
  if (remembered) return { backend: remembered.backend, remembered };
  return { backend: 'auto', benchmark: true };
}

/** The faster of the two; WASM when WebGPU failed (`webgpu` is then the error). */
export function chooseByTimings(wasmMs: number, webgpu: number | Error): BackendChoice {
  if (webgpu instanceof Error) {
    return { backend: 'wasm', reason: webGpuFailed(webgpu), timings: { wasm: wasmMs } };
  }
  const timings = { wasm: wasmMs, webgpu };
  const [fast, slow] = webgpu < wasmMs ? [webgpu, wasmMs] : [wasmMs, webgpu];
  return {
    backend: webgpu < wasmMs ? 'webgpu' : 'wasm',
    reason: `faster on this device: ${ms(fast)} vs ${ms(slow)}`,
    timings,
  };
}

export function webGpuFailed(error: unknown): string {
  return `WebGPU failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** "WASM (WebGPU not available)", "WebGPU (faster on this device: 12 ms vs 80 ms)", "WASM". */
export function backendLabel(choice: Pick<BackendChoice, 'backend' | 'reason'>): string {
  const name = choice.backend === 'webgpu' ? 'WebGPU' : 'WASM';
  return choice.reason ? `${name} (${choice.reason})` : name;
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

/** Where the bridge remembers choices: IndexedDB in the app ($lib/db/backend-choices.ts). */
export interface BackendChoiceStore {
  get(sha256: string, device: string): Promise<BackendChoice | undefined>;
  put(sha256: string, device: string, choice: BackendChoice): Promise<void>;
}
