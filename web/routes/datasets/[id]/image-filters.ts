// Which of a dataset's images the browser shows, and the per-class counts beside the filters.
// Pure functions over the rows the page already holds, so 10,000 images filter in one pass; the
// confidence filter's answer comes from an index over the stored suggestions.
import type { AnnotationRow } from '$lib/db/database';
import type { ConfidenceFilter } from '$lib/db/suggestion-store';

export type ReviewState = 'to do' | 'labeled' | 'reviewed';
export type StateFilter = 'all' | 'unlabeled' | 'labeled' | 'reviewed';

export interface ImageFilter {
  state: StateFilter;
  /** Only images with at least one label of this class; null: any. */
  classIndex: number | null;
}

type Labeled = Pick<AnnotationRow, 'boxes' | 'polygons' | 'imageClass' | 'reviewedAt'>;

export function shapeCount(row: Labeled): number {
  return row.boxes.length + (row.polygons?.length ?? 0);
}

export function reviewState(row: Labeled): ReviewState {
  if (row.reviewedAt) return 'reviewed';
  return shapeCount(row) > 0 || row.imageClass !== undefined ? 'labeled' : 'to do';
}

function usesClass(row: Labeled, classIndex: number): boolean {
  return (
    row.imageClass === classIndex ||
    row.boxes.some((b) => b.classIndex === classIndex) ||
    (row.polygons ?? []).some((p) => p.classIndex === classIndex)
  );
}

export function matches(row: Labeled, filter: ImageFilter): boolean {
  const state = reviewState(row);
  const stateOk =
    filter.state === 'all' ||
    (filter.state === 'unlabeled' && state === 'to do') ||
    (filter.state === 'labeled' && state !== 'to do') ||
    (filter.state === 'reviewed' && state === 'reviewed');
  return stateOk && (filter.classIndex === null || usesClass(row, filter.classIndex));
}

export interface ClassCount {
  /** Boxes, polygons and image classes of this class. */
  labels: number;
  /** Images holding at least one of them. */
  images: number;
}

export function classCounts(rows: readonly Labeled[], classCount: number): ClassCount[] {
  const counts = Array.from({ length: classCount }, () => ({ labels: 0, images: 0 }));
  const seen = new Set<number>();
  for (const row of rows) {
    seen.clear();
    const add = (c: number) => {
      const count = counts[c];
      if (!count) return;
      count.labels++;
      if (!seen.has(c)) {
        seen.add(c);
        count.images++;
      }
    };
    row.boxes.forEach((b) => add(b.classIndex));
    row.polygons?.forEach((p) => add(p.classIndex));
    if (row.imageClass !== undefined) add(row.imageClass);
  }
  return counts;
}

/**
 * The image `offset` steps from the current one among the shown images. The current image may
 * have just left the filter (labeling an unlabeled image does that); then the step starts from
 * where it sits in the whole list.
 */
export function neighbour<T extends { sha256: string }>(
  all: readonly T[],
  shown: readonly T[],
  current: string | null,
  offset: number,
): T | undefined {
  const at = shown.findIndex((i) => i.sha256 === current);
  if (at >= 0) return shown[at + offset];
  const position = new Map(all.map((image, i) => [image.sha256, i]));
  const here = position.get(current ?? '') ?? -1;
  if (offset > 0) return shown.find((i) => (position.get(i.sha256) ?? -1) > here);
  return shown.findLast((i) => (position.get(i.sha256) ?? -1) < here);
}

export type { ConfidenceFilter } from '$lib/db/suggestion-store';

/**
 * The images the browser shows: those passing the state and class filter and, while a confidence
 * filter is on, among `confident` (the stored suggestions' index answer, see suggestion-store.ts).
 */
export function filterImages<T extends Labeled & { sha256: string }>(
  images: readonly T[],
  filter: ImageFilter,
  confident: ReadonlySet<string> | null,
): T[] {
  return images.filter(
    (image) => matches(image, filter) && (!confident || confident.has(image.sha256)),
  );
}

/**
 * Whether an image's model suggestions pass the filter. An image with no suggestions (never
 * pre-labeled, or every suggestion accepted or rejected) has no confidence and never passes.
 * The stored index answers the same question for a whole dataset; this is its definition.
 */
export function matchesConfidence(
  suggestions: readonly { confidence: number }[] | undefined,
  filter: ConfidenceFilter,
): boolean {
  if (!suggestions || suggestions.length === 0) return false;
  const confidences = suggestions.map((s) => s.confidence);
  const value = filter.which === 'best' ? Math.max(...confidences) : Math.min(...confidences);
  return filter.side === 'below' ? value < filter.threshold : value >= filter.threshold;
}
