/**
 * Evaluates a model over a labeled local dataset in the browser: runs it through the batch
 * runner with the validator's settings (one image at a time, pages read lazily, cancellable).
 * The worker scores each picture against its labels (image-stats.ts: boxes, masks, top-5) and
 * answers a small record that is folded here as it arrives, so no answer is kept. Labels are
 * matched to the model's classes by name; a dataset class the model does not know is left out
 * (and named). Detect models are scored on boxes (polygons by their bounds); segment models on
 * boxes and masks, as Ultralytics' SegmentationValidator (every label an outline, a box as its
 * four corners); classify models on top-1 / top-5 accuracy.
 */
import type { Box, Polygon, Task } from '$contract';
import type { InferenceClient } from '$lib/inference/inference-client';
import { runEach, type BatchProgress, type BatchSource } from '$lib/inference/batch-runner';
import { VAL_OPTIONS } from './detection-evaluator';
import { createFold, type FoldedEvaluation } from './evaluation-fold';
import type { EvalLabels } from './image-stats';

/** What evaluation needs of a dataset row (an AnnotationRow has it). */
export interface LabeledImage {
  boxes: Box[];
  polygons?: Polygon[];
  imageClass?: number;
}

export type DatasetEvaluation = FoldedEvaluation & { failed: number; unknownClasses: string[] };

export interface EvaluateOptions {
  datasetClasses: readonly string[];
  modelClasses: readonly string[];
  /** The model's task: only the labels it is scored on are sent (and can be left out). */
  task?: Task;
  signal?: AbortSignal;
  onProgress?(progress: BatchProgress): void;
}

export async function evaluateDataset<K extends LabeledImage>(
  client: Pick<InferenceClient, 'evaluate'>,
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
  const fold = createFold();
  let failed = 0;
  const { signal } = options;
  await runEach(
    source,
    (blob, key) =>
      client.evaluate(blob, evalLabels(key, mapClass, options.task), { ...VAL_OPTIONS, signal }),
    {
      collect: false,
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onResult(answer) {
        if (answer.ok) fold.add(answer.result);
        else failed++;
      },
    },
  );
  return { ...fold.result(), failed, unknownClasses: [...unknown].sort() };
}

/** The labels in the model's classes (labels of other classes left out), for the worker. */
export function evalLabels(
  labels: LabeledImage,
  mapClass: (i: number) => number | undefined,
  task?: Task,
): EvalLabels {
  const mapped = <T extends { classIndex: number }>(items: readonly T[]) =>
    items.flatMap((item) => {
      const classIndex = mapClass(item.classIndex);
      return classIndex === undefined ? [] : [{ ...item, classIndex }];
    });
  const regions = task !== 'classify';
  const imageClass =
    labels.imageClass == null || task === 'detect' || task === 'segment'
      ? undefined
      : mapClass(labels.imageClass);
  return {
    boxes: mapped(regions ? labels.boxes : []).map(({ classIndex, x, y, w, h }) => ({
      classIndex,
      x,
      y,
      w,
      h,
    })),
    polygons: mapped(regions ? (labels.polygons ?? []) : []).map(({ classIndex, points }) => ({
      classIndex,
      points,
    })),
    ...(imageClass === undefined ? {} : { imageClass }),
  };
}
