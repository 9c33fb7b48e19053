/**
 * One picture of an in-browser evaluation, from RGBA pixels to the stats it adds
 * (../evaluation/image-stats.ts), as `model.val` computes them: the validator's preparation
 * (letterbox mode 'val'), its NMS settings, boxes unclipped, and for segment the masks at a
 * quarter of the input with every box NMS kept. Pure like ./pixel-pipeline.ts; the worker runs it
 * so the page never rasterises a label or compares a mask.
 */
import type { ModelMetadata } from '$contract';
import {
  detectStats,
  segmentStats,
  type EvalLabels,
  type EvalPrediction,
  type ImageStats,
} from '$lib/evaluation/image-stats';
import { classifyPixels, inputSize, runOutputs, type SourcePixels } from './pixel-pipeline';
import { keptCandidates, toSourcePixels } from './postprocess';
import { letterbox } from './preprocess';
import { MASK_COEFFICIENTS, prototypeMasks } from './segment-postprocess';
import type { Candidate } from './nms';
import { describeError, InferenceError, type InferenceOptions } from './types';

/** `options` resolved, with mode 'val' (the caller passes the validator's settings). */
export async function evaluatePixels(
  session: Parameters<typeof runOutputs>[0],
  metadata: ModelMetadata,
  pixels: SourcePixels,
  labels: EvalLabels,
  options: Required<InferenceOptions>,
): Promise<ImageStats> {
  if (metadata.task === 'classify') {
    const { top } = await classifyPixels(session, metadata, pixels, 5);
    return {
      task: 'classify',
      ...(labels.imageClass === undefined ? {} : { truth: labels.imageClass }),
      ranked: top.map((t) => t.classIndex),
    };
  }
  const segment = metadata.task === 'segment';
  const [height, width] = inputSize(metadata);
  const { tensor, transform } = letterbox(pixels, width, height, 'val');
  const outputs = await runOutputs(session, metadata, tensor, segment ? 2 : 1);
  const nc = metadata.classNames.length;
  let kept: Candidate[];
  try {
    kept = keptCandidates(
      outputs[0]!,
      nc,
      { ...options, mode: 'val' },
      segment ? MASK_COEFFICIENTS : 0,
    );
  } catch (error) {
    throw new InferenceError('invalid-model', describeError(error));
  }
  // Boxes to the picture's own size (a bitmap the browser shrank maps back up).
  const sourceWidth = pixels.sourceWidth ?? pixels.width;
  const sourceHeight = pixels.sourceHeight ?? pixels.height;
  const back = [sourceWidth / pixels.width, sourceHeight / pixels.height] as const;
  const predictions: EvalPrediction[] = kept.map((c) => {
    const [x1, y1, x2, y2] = toSourcePixels(c, transform);
    return {
      box: [x1 * back[0], y1 * back[1], x2 * back[0], y2 * back[1]] as const,
      classIndex: c.classIndex,
      confidence: c.score,
    };
  });
  if (!segment) return detectStats(predictions, labels, sourceWidth, sourceHeight);
  const { masks } = prototypeMasks(outputs[0]!, outputs[1]!, nc, kept, width, height);
  return segmentStats(predictions, masks, labels, sourceWidth, sourceHeight, transform);
}
