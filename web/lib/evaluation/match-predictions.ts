/**
 * Which predictions are true positives at each IoU threshold, as Ultralytics'
 * `DetectionValidator._process_batch` + `BaseValidator.match_predictions` (greedy, the default)
 * decide it: predictions in descending confidence each claim the unclaimed same-class target of
 * highest IoU, separately per threshold. IoU in float32 as torch computes it.
 */

/** torch.linspace(0.5, 0.95, 10) in float32. */
export const IOU_THRESHOLDS = Array.from({ length: 10 }, (_, i) =>
  Math.fround(0.5 + i * Math.fround(0.45 / 9)),
);

/** x1, y1, x2, y2 in pixels. */
export type Box = readonly [number, number, number, number];

const f = Math.fround;

/** metrics.box_iou for one pair (eps 1e-7), in float32. */
export function boxIou(a: Box, b: Box): number {
  const w = Math.max(f(f(Math.min(a[2], b[2])) - f(Math.max(a[0], b[0]))), 0);
  const h = Math.max(f(f(Math.min(a[3], b[3])) - f(Math.max(a[1], b[1]))), 0);
  const inter = f(w * h);
  const areaA = f(f(a[2] - a[0]) * f(a[3] - a[1]));
  const areaB = f(f(b[2] - b[0]) * f(b[3] - b[1]));
  return f(inter / f(f(f(areaA + areaB) - inter) + f(1e-7)));
}

/**
 * `correct[d][t]`: prediction d (in descending confidence) is a true positive at threshold t.
 */
export function matchPredictions(
  predictions: readonly { box: Box; classIndex: number }[],
  targets: readonly { box: Box; classIndex: number }[],
  thresholds: readonly number[] = IOU_THRESHOLDS,
): boolean[][] {
  const iou = targets.map((t) => predictions.map((p) => boxIou(t.box, p.box)));
  return matchIou(
    iou,
    predictions.map((p) => p.classIndex),
    targets.map((t) => t.classIndex),
    thresholds,
  );
}

/**
 * BaseValidator.match_predictions on any IoU (`iou[l][d]`: target l, prediction d; boxes or
 * masks): zeroed where the classes differ, then greedy per threshold.
 */
export function matchIou(
  iouByTarget: readonly ArrayLike<number>[],
  predClass: readonly number[],
  targetClass: readonly number[],
  thresholds: readonly number[] = IOU_THRESHOLDS,
): boolean[][] {
  const correct = predClass.map(() => thresholds.map(() => false));
  if (!predClass.length || !targetClass.length) return correct;
  const iou = iouByTarget.map((row, l) =>
    predClass.map((c, d) => (c === targetClass[l] ? row[d]! : 0)),
  );
  const lowest = Math.min(...thresholds);
  const matched = targetClass.map(() => thresholds.map(() => false));
  predClass.forEach((_, d) => {
    if (!iou.some((row) => row[d]! >= lowest)) return;
    thresholds.forEach((threshold, t) => {
      let best = 0;
      let bestIou = -1;
      iou.forEach((row, l) => {
        const available = matched[l]![t] ? 0 : row[d]!;
        if (available > bestIou) [best, bestIou] = [l, available];
      });
      const hit = bestIou >= threshold;
      correct[d]![t] = hit;
      if (hit) matched[best]![t] = true;
    });
  });
  return correct;
}
