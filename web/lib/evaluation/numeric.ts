/**
 * The few numpy functions Ultralytics' metrics use, with numpy's exact semantics (edges, ties,
 * repeated x values), so the browser's mAP is the number `model.val` prints.
 */

/** np.linspace(start, stop, num): start + i * step, the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * np.interp for one x: `left`/`right` outside xp, fp[-1] at xp[-1], else the segment starting at
 * the last xp[j] <= x (numpy's binary search), so repeated xp values act like a step.
 */
export function interp(
  x: number,
  xp: ArrayLike<number>,
  fp: ArrayLike<number>,
  left = fp[0]!,
  right = fp[fp.length - 1]!,
): number {
  const n = xp.length;
  if (x < xp[0]!) return left;
  if (x > xp[n - 1]!) return right;
  if (x === xp[n - 1]) return fp[n - 1]!;
  let lo = 0;
  let hi = n - 1; // invariant: xp[lo] <= x < xp[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const slope = (fp[lo + 1]! - fp[lo]!) / (xp[lo + 1]! - xp[lo]!);
  return slope * (x - xp[lo]!) + fp[lo]!;
}

/** np.trapezoid(y, x). */
export function trapezoid(y: ArrayLike<number>, x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i + 1 < y.length; i++) sum += ((x[i + 1]! - x[i]!) * (y[i + 1]! + y[i]!)) / 2;
  return sum;
}

/** Ultralytics' `smooth`: box filter of `round(len * f * 2) // 2 + 1` taps, edges repeated. */
export function smooth(y: ArrayLike<number>, f = 0.05): Float64Array {
  const nf = Math.floor(Math.round(y.length * f * 2) / 2) + 1;
  const half = Math.floor(nf / 2);
  const padded = [
    ...Array<number>(half).fill(y[0]!),
    ...Array.from(y),
    ...Array<number>(half).fill(y[y.length - 1]!),
  ];
  const out = new Float64Array(padded.length - nf + 1);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < nf; k++) s += padded[i + k]! / nf;
    out[i] = s;
  }
  return out;
}

/** Index of the first maximum (np.argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
