/**
 * Evaluates a model over a labeled local dataset in the browser: runs it through the batch
 * runner with the validator's settings (one image at a time, pages read lazily, cancellable) and
 * folds each answer into the metrics as it arrives, so no answer is kept. Labels are matched to
 * the model's classes by name; a dataset class the model does not know is left out (and named).
 * Detect and segment models are scored on boxes (segment labels' polygons give their boxes, as
 * Ultralytics' box metrics do); classify models on top-1 / top-5 accuracy.
 */
import type { Box, Polygon } from '$contract';
import type { InferenceClient } from '$lib/inference/inference-client';
import { runBatch, type BatchProgress, type BatchSource } from '$lib/inference/batch-runner';
import type { TaskResult } from '$lib/inference/types';
import {
  createDetectionEvaluator,
  VAL_OPTIONS,
  type DetectionMetrics,
  type EvalTarget,
} from './detection-evaluator';

/** What evaluation needs of a dataset row (an AnnotationRow has it). */
export interface LabeledImage {
  boxes: Box[];
  polygons?: Polygon[];
  imageClass?: number;
}

export type DatasetEvaluation = { images: number; failed: number; unknownClasses: string[] } & (
  { task: 'detect'; metrics: DetectionMetrics } | { task: 'classify'; top1: number; top5: number }
);

export interface EvaluateOptions {
  datasetClasses: readonly string[];
  modelClasses: readonly string[];
  signal?: AbortSignal;
  onProgress?(progress: BatchProgress): void;
}

export async function evaluateDataset<K extends LabeledImage>(
  client: Pick<InferenceClient, 'run'>,
  source: BatchSource<K>,
  options: EvaluateOptions,
): Promise<DatasetEvaluation> {
  const toModel = options.datasetClasses.map((name) => options.modelClasses.indexOf(name));
  const unknown = new Set<string>();
  const mapClass = (datasetIndex: number): number | undefined => {
    const m = toModel[datasetIndex] ?? -1;
    if (m >= 0) return m;
    unknown.add(options.datasetClasses[datasetIndex] ?? `#${datasetIndex}`);
    return undefined;
  };
  const boxes = createDetectionEvaluator();
  const topk = { images: 0, top1: 0, top5: 0 };
  // Widened on purpose: onResult (a callback) may switch it, which narrowing cannot see.
  let task = 'detect' as 'detect' | 'classify';
  let failed = 0;
  await runBatch(client, source, {
    ...VAL_OPTIONS,
    collect: false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onResult(answer) {
      if (!answer.ok) {
        failed++;
        return;
      }
      const { result } = answer;
      if (result.task === 'classify') {
        task = 'classify';
        scoreClassify(result, answer.key, mapClass, topk);
        return;
      }
      boxes.add(
        result.detections.map((d) => ({
          box: [d.x, d.y, d.x + d.w, d.y + d.h] as const,
          classIndex: d.classIndex,
          confidence: d.confidence,
        })),
        targetsOf(answer.key, result, mapClass),
      );
    },
  });
  const common = { failed, unknownClasses: [...unknown].sort() };
  if (task === 'classify') {
    const n = Math.max(1, topk.images);
    return {
      task,
      images: topk.images,
      top1: topk.top1 / n,
      top5: topk.top5 / n,
      ...common,
    };
  }
  const metrics = boxes.result();
  return { task, images: metrics.images, metrics, ...common };
}

/** The image's labels as pixel boxes in the model's classes (polygons by their bounds). */
function targetsOf(
  labels: LabeledImage,
  size: Pick<TaskResult, 'imageWidth' | 'imageHeight'>,
  mapClass: (i: number) => number | undefined,
): EvalTarget[] {
  const { imageWidth: w, imageHeight: h } = size;
  const fromPolygons = (labels.polygons ?? []).map((p) => {
    const xs = p.points.map((q) => q[0]);
    const ys = p.points.map((q) => q[1]);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { classIndex: p.classIndex, x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
  });
  return [...labels.boxes, ...fromPolygons].flatMap((b) => {
    const classIndex = mapClass(b.classIndex);
    if (classIndex === undefined) return [];
    return [{ classIndex, box: [b.x * w, b.y * h, (b.x + b.w) * w, (b.y + b.h) * h] as const }];
  });
}

function scoreClassify(
  result: Extract<TaskResult, { task: 'classify' }>,
  labels: LabeledImage,
  mapClass: (i: number) => number | undefined,
  score: { images: number; top1: number; top5: number },
): void {
  if (labels.imageClass === undefined) return; // an unlabeled photo says nothing about accuracy
  const truth = mapClass(labels.imageClass);
  if (truth === undefined) return;
  const ranked = result.top.map((t) => t.classIndex);
  score.images++;
  if (ranked[0] === truth) score.top1++;
  if (ranked.slice(0, 5).includes(truth)) score.top5++;
}
