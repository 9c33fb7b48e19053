// Which inference backend each model runs on, per device: written after the one-time benchmark
// (or a WebGPU failure) and read before every later load of the same model bytes, so the
// benchmark runs once. Losing a row costs one more benchmark, nothing else.
import type { BackendChoice, BackendChoiceStore } from '$lib/inference/backend-choice';
import { getDb } from './database';

export interface BackendChoiceRow extends BackendChoice {
  /** Hex SHA-256 of the ONNX file. */
  sha256: string;
  /** The GPU adapter and browser build the benchmark ran on (the worker's probe). */
  device: string;
  decidedAt: number;
}

export const backendChoices: BackendChoiceStore = {
  async get(sha256, device) {
    const row = await getDb().backendChoices.get([sha256, device]);
    if (!row) return undefined;
    const { sha256: _sha, device: _device, decidedAt: _at, ...choice } = row;
    return choice;
  },
  async put(sha256, device, choice) {
    await getDb().backendChoices.put({ ...choice, sha256, device, decidedAt: Date.now() });
  },
};
