/**
 * The native parts predict needs, loaded on first use: onnxruntime-node (runs the model) and
 * sharp (decodes images). Loaded lazily so a machine where either fails to load still serves
 * everything else; health and predict then say why.
 */
import type SharpModule from 'sharp';
import { describeError } from '../../web/lib/inference/types';

export type Ort = typeof import('onnxruntime-node');
export type Sharp = typeof SharpModule;
export interface Engine {
  ort: Ort;
  sharp: Sharp;
}

let loading: Promise<Engine> | undefined;

/** Loads both once; a failure is remembered (a missing native binary does not come back). */
export function loadEngine(): Promise<Engine> {
  loading ??= Promise.all([import('onnxruntime-node'), import('sharp')]).then(
    ([ort, sharp]): Engine => ({ ort, sharp: sharp.default }),
  );
  return loading;
}

export type EngineStatus = { available: true } | { available: false; reason: string };

export async function engineStatus(): Promise<EngineStatus> {
  try {
    await loadEngine();
    return { available: true };
  } catch (error) {
    return {
      available: false,
      reason: `the predict engine failed to load: ${describeError(error)}`,
    };
  }
}
