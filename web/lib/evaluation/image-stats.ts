/**
 * What one picture adds to an evaluation, computed in the inference worker so the page only
 * folds small records (the validator's per-batch `stats`): for detect and segment, each kept
 * prediction's confidence, class and true-positive flags at the ten IoU thresholds (boxes, and
 * masks for segment), and the classes of the labels; for classify, the label and the ranking.
 */
import type { Box as LabelBox, Polygon } from '$contract';
import type { LetterboxTransform } from '$lib/inference/preprocess';
import { matchIou, matchPredictions, type Box } from './match-predictions';
import { targetMasks } from './target-masks';

/** A picture's labels in the model's classes, normalised (what the page sends the worker). */
export interface EvalLabels {
  boxes: Pick<LabelBox, 'classIndex' | 'x' | 'y' | 'w' | 'h'>[];
  polygons: Pick<Polygon, 'classIndex' | 'points'>[];
  imageClass?: number;
}

export type ImageStats =
  | {
      task: 'detect' | 'segment';
      /** Per prediction, in descending confidence. */
      conf: number[];
      predClass: number[];
      /** tp[d][t]: box IoU at threshold t; tpMask the same on masks (segment). */
      tp: boolean[][];
      tpMask?: boolean[][];
      targetClass: number[];
    }
  | { task: 'classify'; truth?: number; ranked: number[] };

export interface EvalPrediction {
  box: Box;
  classIndex: number;
  confidence: number;
}

/** A segment label set: every polygon, and every box as its four corners (as training does). */
export function segmentOutlines(labels: EvalLabels): Pick<Polygon, 'classIndex' | 'points'>[] {
  const clamp = (v: number) => Math.min(Math.max(v, 0), 1);
  const fromBoxes = labels.boxes.map((b) => {
    const [x0, y0, x1, y1] = [clamp(b.x), clamp(b.y), clamp(b.x + b.w), clamp(b.y + b.h)];
    return {
      classIndex: b.classIndex,
      points: [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
      ] as [number, number][],
    };
  });
  return [...labels.polygons, ...fromBoxes];
}

/** Label boxes in picture pixels: boxes, and each outline by its bounds (segments2boxes). */
export function targetBoxes(
  boxes: EvalLabels['boxes'],
  outlines: EvalLabels['polygons'],
  width: number,
  height: number,
): { box: Box; classIndex: number }[] {
  const fromOutlines = outlines.map((p) => {
    const xs = p.points.map((q) => q[0]);
    const ys = p.points.map((q) => q[1]);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { classIndex: p.classIndex, x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
  });
  return [...boxes, ...fromOutlines].map((b) => ({
    classIndex: b.classIndex,
    box: [b.x * width, b.y * height, (b.x + b.w) * width, (b.y + b.h) * height] as const,
  }));
}

/** metrics.mask_iou: intersection / (union + 1e-7) in float32, `iou[l][d]`. */
export function maskIou(targets: readonly Uint8Array[], preds: readonly Uint8Array[]): number[][] {
  const f = Math.fround;
  const area = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
  const predArea = preds.map(area);
  return targets.map((t) => {
    const tArea = area(t);
    return preds.map((p, d) => {
      let inter = 0;
      for (let i = 0; i < t.length; i++) inter += t[i]! & p[i]!;
      return f(inter / f(tArea + predArea[d]! - inter + f(1e-7)));
    });
  });
}

/**
 * A detect picture's stats: predictions (descending confidence, boxes in picture pixels) against
 * the label boxes and outlines' bounds.
 */
export function detectStats(
  predictions: readonly EvalPrediction[],
  labels: EvalLabels,
  width: number,
  height: number,
): ImageStats {
  const targets = targetBoxes(labels.boxes, labels.polygons, width, height);
  return {
    task: 'detect',
    conf: predictions.map((p) => p.confidence),
    predClass: predictions.map((p) => p.classIndex),
    tp: matchPredictions(predictions, targets),
    targetClass: targets.map((t) => t.classIndex),
  };
}

/**
 * A segment picture's stats: every label becomes an outline (boxes as their corners); boxes are
 * scored on the outlines' bounds, masks on the outlines rasterised as the validator does.
 * `predMasks` are the validator's masks (a quarter of the input, see prototypeMasks).
 */
export function segmentStats(
  predictions: readonly EvalPrediction[],
  predMasks: readonly Uint8Array[],
  labels: EvalLabels,
  width: number,
  height: number,
  transform: LetterboxTransform,
): ImageStats {
  const outlines = segmentOutlines(labels);
  const targets = targetBoxes([], outlines, width, height);
  const predClass = predictions.map((p) => p.classIndex);
  const targetClass = targets.map((t) => t.classIndex);
  const gt = outlines.length
    ? targetMasks(
        outlines.map((o) => o.points),
        transform,
      )
    : [];
  return {
    task: 'segment',
    conf: predictions.map((p) => p.confidence),
    predClass,
    tp: matchPredictions(predictions, targets),
    tpMask: matchIou(maskIou(gt, predMasks), predClass, targetClass),
    targetClass,
  };
}
