/**
 * Adds up what each picture of an evaluation gave (image-stats.ts, computed in the worker) into
 * the numbers `model.val` prints: precision, recall, mAP50, mAP50-95 on boxes (and on masks for
 * segment), or top-1 / top-5 accuracy. Relative imports only, so Node tests fold with it too.
 */
import { createDetectionEvaluator, type DetectionMetrics } from './detection-evaluator';
import type { ImageStats } from './image-stats';

export type FoldedEvaluation = { images: number } & (
  | { task: 'detect'; metrics: DetectionMetrics }
  | { task: 'segment'; metrics: DetectionMetrics; masks: DetectionMetrics }
  | { task: 'classify'; top1: number; top5: number }
);

/** Adds up each picture's stats; the task is the one the worker's answers say. */
export function createFold() {
  const boxes = createDetectionEvaluator();
  const masks = createDetectionEvaluator();
  const topk = { images: 0, top1: 0, top5: 0 };
  let task: ImageStats['task'] = 'detect';
  return {
    add(stats: ImageStats): void {
      task = stats.task;
      if (stats.task === 'classify') {
        if (stats.truth === undefined) return; // an unlabeled photo says nothing about accuracy
        topk.images++;
        if (stats.ranked[0] === stats.truth) topk.top1++;
        if (stats.ranked.slice(0, 5).includes(stats.truth)) topk.top5++;
        return;
      }
      boxes.addMatched(stats);
      if (stats.tpMask) masks.addMatched({ ...stats, tp: stats.tpMask });
    },
    result(): FoldedEvaluation {
      if (task === 'classify') {
        const n = Math.max(1, topk.images);
        return { task, images: topk.images, top1: topk.top1 / n, top5: topk.top5 / n };
      }
      const metrics = boxes.result();
      if (task === 'segment')
        return { task, images: metrics.images, metrics, masks: masks.result() };
      return { task, images: metrics.images, metrics };
    },
  };
}
