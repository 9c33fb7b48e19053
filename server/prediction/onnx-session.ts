/**
 * An onnxruntime-node session behind the `TensorSession` the browser's pure pipeline runs on
 * (web/lib/inference/pixel-pipeline.ts), so the server predicts with the same pre/post code.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { TensorSession } from '../../web/lib/inference/pixel-pipeline';
import { float32Outputs, onlyInput } from '../../web/lib/inference/session-io';
import type { Ort } from './predict-engine';

export interface NodeSession extends TensorSession {
  release(): Promise<void>;
}

export async function openOnnxSession(ort: Ort, model: Uint8Array): Promise<NodeSession> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  return wrap(ort, session);
}

function wrap(ort: Ort, session: InferenceSession): NodeSession {
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  return {
    outputNames,
    async run(input) {
      const feed = new ort.Tensor('float32', input.data, input.dims);
      const results = await session.run({ [onlyInput(inputNames)]: feed });
      return float32Outputs(results, outputNames);
    },
    release: () => session.release(),
  };
}
