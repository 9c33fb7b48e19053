/**
 * Checks, before a model replaces the loaded one, that the ONNX file and its metadata.json
 * describe the same model: a mismatch found here is a clear message at load time instead of
 * boxes in the wrong place (or a crash) on the first photo.
 */
import type { ModelMetadata } from '$contract';
import { InferenceError } from '../types';

/** Mask coefficients per anchor in an Ultralytics segment head. */
export const MASK_CHANNELS = 32;

/** What onnxruntime reports about one graph input or output (shape [] when unknown). */
export interface ValueInfo {
  name: string;
  shape: readonly (number | string)[];
}

/**
 * The largest model file this device is asked to load. onnxruntime-web's heap is a 32-bit wasm
 * memory (4 GiB at most) and holds the weights about twice while the session is built; a phone
 * reporting 2 GiB of memory (`navigator.deviceMemory`, capped at 8 by browsers) gets 256 MiB.
 */
export function defaultMaxModelBytes(deviceMemoryGiB: number | undefined): number {
  const gib = deviceMemoryGiB && deviceMemoryGiB > 0 ? deviceMemoryGiB : 4;
  return Math.min(1024, gib * 128) * 1024 * 1024;
}

export function assertModelSize(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    throw new InferenceError(
      'model-too-large',
      `The model is ${mib(bytes)}, more than this device can load (${mib(maxBytes)}). ` +
        'Train a smaller variant (n or s) or export at a smaller image size.',
    );
  }
}

/** The output shape the task needs, given the class count; `undefined` for "any". */
function expectedOutputs(metadata: ModelMetadata): (number | undefined)[][] {
  const nc = metadata.classNames.length;
  switch (metadata.task) {
    case 'detect':
      return [[1, 4 + nc, undefined]];
    case 'segment':
      return [
        [1, 4 + nc + MASK_CHANNELS, undefined],
        [1, MASK_CHANNELS, undefined, undefined],
      ];
    case 'classify':
      return [[1, nc]];
  }
}

const describeShape = (shape: readonly (number | string | undefined)[]) =>
  `[${shape.map((d) => (typeof d === 'number' ? d : 'N')).join(', ')}]`;

/**
 * Throws an InferenceError that says which side is wrong when the graph's inputs/outputs do not
 * match metadata.json, or the outputs do not fit the metadata's task and class count.
 */
export function assertMatchesMetadata(
  metadata: ModelMetadata,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
): void {
  const mismatch = (what: string) =>
    new InferenceError(
      'invalid-model',
      `${what}; metadata.json does not belong to this model.onnx. Download the model again, ` +
        'or re-export it and its metadata together.',
    );
  const input = inputs.find((i) => i.name === metadata.inputName);
  if (inputs.length !== 1 || !input) {
    throw mismatch(
      `metadata names input "${metadata.inputName}" but the model's inputs are ` +
        inputs.map((i) => `"${i.name}"`).join(', '),
    );
  }
  if (!sameShape(input.shape, metadata.inputShape)) {
    throw mismatch(
      `the model's input is ${describeShape(input.shape)}, metadata says ` +
        describeShape(metadata.inputShape),
    );
  }
  const names = outputs.map((o) => o.name);
  if (
    metadata.outputNames.length !== names.length ||
    metadata.outputNames.some((n, i) => n !== names[i])
  ) {
    throw mismatch(
      `metadata names outputs ${metadata.outputNames.join(', ')} but the model has ${names.join(', ')}`,
    );
  }
  const expected = expectedOutputs(metadata);
  const nc = metadata.classNames.length;
  expected.forEach((want, i) => {
    const got = outputs[i]?.shape ?? [];
    if (!sameShape(got, want)) {
      throw new InferenceError(
        'invalid-model',
        `a ${metadata.task} model with ${nc} classes (${metadata.classNames.join(', ')}) has ` +
          `output ${describeShape(want)}, but this model's output ${i} is ${describeShape(got)}. ` +
          'Check that metadata.json lists the classes the model was trained with, and its task.',
      );
    }
  });
}

/** Dims agree where both are known numbers; a symbolic or `undefined` dim matches anything. */
function sameShape(
  got: readonly (number | string)[],
  want: readonly (number | undefined)[],
): boolean {
  if (got.length === 0) return true; // onnxruntime could not tell; the warm-up run checks
  if (got.length !== want.length) return false;
  return want.every((w, i) => {
    const g = got[i];
    return w === undefined || w <= 0 || typeof g !== 'number' || g <= 0 || g === w;
  });
}
