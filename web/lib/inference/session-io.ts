/**
 * Feeding and reading an onnxruntime session, the same for onnxruntime-web (the worker's ort.ts)
 * and onnxruntime-node (the server's predict): typed structurally, so this module imports
 * neither runtime.
 */
import type { Float32Tensor } from './types';

/** The part of an onnxruntime output tensor (web or node) that reading it needs. */
export interface RuntimeTensor {
  readonly type: string;
  readonly dims: readonly number[];
  /** Downloads from the GPU when the output lives there; on the CPU it is the data. */
  getData(): Promise<unknown>;
  dispose(): void;
}

/** The name of the model's only input; YOLO exports have exactly one. */
export function onlyInput(inputNames: readonly string[]): string {
  if (inputNames.length !== 1) {
    throw new Error(`model has ${inputNames.length} inputs (${inputNames.join(', ')}); expected 1`);
  }
  return inputNames[0]!;
}

/** Every named output as a float32 tensor, each runtime tensor disposed once read. */
export async function float32Outputs(
  results: Readonly<Record<string, RuntimeTensor | undefined>>,
  outputNames: readonly string[],
): Promise<Record<string, Float32Tensor>> {
  const outputs: Record<string, Float32Tensor> = {};
  for (const name of outputNames) {
    const tensor = results[name];
    if (!tensor) throw new Error(`model returned no output named ${name}`);
    if (tensor.type !== 'float32') {
      throw new Error(`output ${name} is ${tensor.type}; export the model as float32 (half=False)`);
    }
    outputs[name] = { data: (await tensor.getData()) as Float32Array, dims: tensor.dims };
    tensor.dispose();
  }
  return outputs;
}
