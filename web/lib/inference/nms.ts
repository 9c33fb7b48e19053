/**
 * Greedy non-maximum suppression as Ultralytics' `non_max_suppression` runs it for predict:
 * best score first, a box is dropped when its IoU with a kept box of the same class is above the
 * threshold (torchvision semantics: strictly above, areas without the +1 pixel), at most 30000
 * candidates go in and `maxDet` come out. Done in JS because the WebGPU EP has no NMS kernel and
 * this takes a few milliseconds.
 */

/** A box in letterboxed tensor pixels, corners form. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classIndex: number;
  /** The output column it came from (segment models keep their mask coefficients there). */
  anchor?: number;
}

/** Ultralytics' max_nms: beyond this many candidates only the best are considered. */
export const MAX_NMS = 30_000;

export function iou(a: Candidate, b: Candidate): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Class-aware NMS. Ultralytics offsets each class by 7680 px and runs one NMS; comparing classes
 * directly is the same thing without the offset.
 */
export function nms(
  candidates: readonly Candidate[],
  iouThreshold: number,
  maxDet: number,
): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score).slice(0, MAX_NMS);
  const kept: Candidate[] = [];
  const suppressed = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxDet; i++) {
    if (suppressed[i]) continue;
    const box = sorted[i]!;
    kept.push(box);
    for (let j = i + 1; j < sorted.length; j++) {
      const other = sorted[j]!;
      if (!suppressed[j] && other.classIndex === box.classIndex && iou(box, other) > iouThreshold) {
        suppressed[j] = 1;
      }
    }
  }
  return kept;
}
