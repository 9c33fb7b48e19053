/**
 * Ultralytics' `ap_per_class` and `compute_ap` (utils/metrics.py): per class, the precision and
 * recall curves over confidence, AP at each IoU threshold by 101-point interpolation (COCO), and
 * precision/recall reported at the confidence where the smoothed mean F1 peaks.
 */
import { argmax, interp, linspace, smooth, trapezoid } from './numeric';

const AP_X = linspace(0, 1, 101);
const EPS = 1e-16;

/** compute_ap: AP of one recall/precision curve (recall increasing). */
export function computeAp(recall: readonly number[], precision: readonly number[]): number {
  const mrec = [0, ...recall, recall.length ? recall[recall.length - 1]! : 1, 1];
  const mpre = [1, ...precision, 0, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
  const y = Array.from(AP_X, (x) => interp(x, mrec, mpre));
  return trapezoid(y, AP_X);
}

export interface ApPerClass {
  /** Classes that have at least one target, ascending. */
  classes: number[];
  /** Per class: AP at each IoU threshold. */
  ap: number[][];
  /** Per class: precision and recall at the max-F1 confidence. */
  precision: number[];
  recall: number[];
}

/**
 * `tp[d][t]` per prediction and threshold; `conf` and `predClass` per prediction; `targetClass`
 * per ground-truth object.
 */
export function apPerClass(
  tp: readonly (readonly boolean[])[],
  conf: readonly number[],
  predClass: readonly number[],
  targetClass: readonly number[],
): ApPerClass {
  const thresholds = tp[0]?.length ?? 10;
  const order = conf.map((_, i) => i).sort((a, b) => conf[b]! - conf[a]!);
  const counts = new Map<number, number>();
  for (const c of targetClass) counts.set(c, (counts.get(c) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const x = linspace(0, 1, 1000);
  const pCurve: Float64Array[] = [];
  const rCurve: Float64Array[] = [];
  const ap: number[][] = [];
  for (const c of classes) {
    const mine = order.filter((i) => predClass[i] === c);
    const nl = counts.get(c)!;
    pCurve.push(new Float64Array(1000));
    rCurve.push(new Float64Array(1000));
    ap.push(Array<number>(thresholds).fill(0));
    if (!mine.length) continue;
    const negConf = mine.map((i) => -conf[i]!);
    const recall: number[][] = [];
    const precision: number[][] = [];
    for (let t = 0; t < thresholds; t++) {
      let tpc = 0;
      let fpc = 0;
      recall.push([]);
      precision.push([]);
      for (const i of mine) {
        if (tp[i]![t]) tpc++;
        else fpc++;
        recall[t]!.push(tpc / (nl + EPS));
        precision[t]!.push(tpc / (tpc + fpc));
      }
    }
    const k = pCurve.length - 1;
    for (let j = 0; j < 1000; j++) {
      rCurve[k]![j] = interp(-x[j]!, negConf, recall[0]!, 0);
      pCurve[k]![j] = interp(-x[j]!, negConf, precision[0]!, 1);
    }
    for (let t = 0; t < thresholds; t++) ap[k]![t] = computeAp(recall[t]!, precision[t]!);
  }
  const f1 = (k: number, j: number) =>
    (2 * pCurve[k]![j]! * rCurve[k]![j]!) / (pCurve[k]![j]! + rCurve[k]![j]! + EPS);
  const meanF1 = Array.from(x, (_, j) => {
    let s = 0;
    for (let k = 0; k < classes.length; k++) s += f1(k, j);
    return s / classes.length;
  });
  const best = classes.length ? argmax(smooth(meanF1, 0.1)) : 0;
  return {
    classes,
    ap,
    precision: pCurve.map((p) => p[best]!),
    recall: rCurve.map((r) => r[best]!),
  };
}
