/**
 * In-browser evaluation of a detect model, as `model.val` reports it: feed each image's
 * predictions (made with conf 0.001, iou 0.7, multiLabel, as the validator predicts) and its
 * labels, then read precision, recall, mAP50 and mAP50-95 (means over the classes that have
 * labels). Boxes are x1, y1, x2, y2 in one pixel space per image (labels and predictions alike).
 */
import { apPerClass } from './ap-per-class';
import { matchPredictions, type Box } from './match-predictions';

export interface EvalPrediction {
  box: Box;
  classIndex: number;
  confidence: number;
}

export interface EvalTarget {
  box: Box;
  classIndex: number;
}

export interface DetectionMetrics {
  precision: number;
  recall: number;
  map50: number;
  /** mAP50-95. */
  map: number;
  images: number;
  perClass: { classIndex: number; precision: number; recall: number; ap50: number; ap: number }[];
}

/**
 * The validator's prediction settings, for the worker's `run` options; mode 'val' prepares each
 * picture as model.val's dataloader does and leaves boxes unclipped, as it matches them.
 */
export const VAL_OPTIONS = {
  conf: 0.001,
  iou: 0.7,
  maxDet: 300,
  multiLabel: true,
  mode: 'val',
} as const;

/** What one image adds: per prediction its confidence, class and tp flags; the labels' classes. */
export interface MatchedImage {
  conf: readonly number[];
  predClass: readonly number[];
  tp: readonly (readonly boolean[])[];
  targetClass: readonly number[];
}

export function createDetectionEvaluator() {
  const tp: (readonly boolean[])[] = [];
  const conf: number[] = [];
  const predClass: number[] = [];
  const targetClass: number[] = [];
  let images = 0;
  return {
    /** One image; predictions in the worker's order (descending confidence). */
    add(predictions: readonly EvalPrediction[], targets: readonly EvalTarget[]): void {
      const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
      this.addMatched({
        conf: sorted.map((p) => p.confidence),
        predClass: sorted.map((p) => p.classIndex),
        tp: matchPredictions(sorted, targets),
        targetClass: targets.map((t) => t.classIndex),
      });
    },
    /** One image already matched (in the worker: see image-stats.ts); tp per prediction. */
    addMatched(stats: MatchedImage): void {
      images++;
      tp.push(...stats.tp);
      conf.push(...stats.conf);
      predClass.push(...stats.predClass);
      targetClass.push(...stats.targetClass);
    },
    result(): DetectionMetrics {
      const r = apPerClass(tp, conf, predClass, targetClass);
      const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
      const perClass = r.classes.map((classIndex, k) => ({
        classIndex,
        precision: r.precision[k]!,
        recall: r.recall[k]!,
        ap50: r.ap[k]![0]!,
        ap: mean(r.ap[k]!),
      }));
      return {
        precision: mean(r.precision),
        recall: mean(r.recall),
        map50: mean(perClass.map((c) => c.ap50)),
        map: mean(perClass.map((c) => c.ap)),
        images,
        perClass,
      };
    },
  };
}
