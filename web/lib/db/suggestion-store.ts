// Model suggestions that were neither accepted nor rejected, per (dataset, image), so they
// outlive the visit that made them: the labeler shows them again and the browser's confidence
// filter finds every image pre-labeled on this device. The filter reads the [datasetId+best] or
// [datasetId+worst] index as one key range and returns only keys, so 10,000 images cost one
// short read per threshold, not a pass over every row. Rows leave with their image: removing it
// here, a removal pulled from another device (label-log.ts) and deleting the dataset
// (datasets.ts) delete them in the same transaction.
import { Dexie, liveQuery, type Observable } from 'dexie';
import type { Box } from '$contract';
import { getDb, type StoredSuggestion, type SuggestionRow } from './database';

/** A suggestion as the page holds it: its class by index into the dataset's classes. */
export interface PageSuggestion extends Box {
  confidence: number;
  points?: [number, number][];
}

/** Which of an image's suggestions the confidence filter looks at, and on which side it keeps. */
export interface ConfidenceFilter {
  /** 'best': the most confident suggestion; 'worst': the least confident one. */
  which: 'best' | 'worst';
  side: 'below' | 'above';
  /** 0 to 1; "below" keeps confidences under it, "above" those at or over it. */
  threshold: number;
}

function toRow(
  datasetId: string,
  sha256: string,
  suggestions: readonly PageSuggestion[],
  classes: readonly string[],
): SuggestionRow {
  const stored: StoredSuggestion[] = suggestions.map((s) => ({
    ...s,
    className: classes[s.classIndex] ?? '',
  }));
  const confidences = stored.map((s) => s.confidence);
  return {
    datasetId,
    sha256,
    suggestions: stored,
    best: Math.max(...confidences),
    worst: Math.min(...confidences),
  };
}

/**
 * Stores what is left of an image's suggestions; an empty list deletes the row, so an image
 * whose suggestions were all accepted or rejected leaves the confidence filter.
 */
export async function putSuggestions(
  datasetId: string,
  sha256: string,
  suggestions: readonly PageSuggestion[],
  classes: readonly string[],
): Promise<void> {
  const table = getDb().suggestions;
  if (suggestions.length === 0) await table.delete([datasetId, sha256]);
  else await table.put(toRow(datasetId, sha256, suggestions, classes));
}

/**
 * An image's suggestions, numbered by the dataset's classes as they are now: a class renamed,
 * merged or deleted since the model ran is followed by name, and a suggestion whose class is
 * gone is left out.
 */
export async function getSuggestions(
  datasetId: string,
  sha256: string,
  classes: readonly string[],
): Promise<PageSuggestion[]> {
  const row = await getDb().suggestions.get([datasetId, sha256]);
  return (row?.suggestions ?? []).flatMap(({ className, ...s }) => {
    const classIndex =
      classes[s.classIndex] === className ? s.classIndex : classes.indexOf(className);
    return classIndex < 0 ? [] : [{ ...s, classIndex }];
  });
}

/** An image's suggestions, again whenever they are stored (pre-labeled, accepted, rejected). */
export function watchSuggestions(
  datasetId: string,
  sha256: string,
  classes: readonly string[],
): Observable<PageSuggestion[]> {
  return liveQuery(() => getSuggestions(datasetId, sha256, classes));
}

/** The images of a dataset whose best (or worst) suggestion is on the filter's side. */
export async function imagesByConfidence(
  datasetId: string,
  filter: ConfidenceFilter,
): Promise<Set<string>> {
  const index = filter.which === 'best' ? '[datasetId+best]' : '[datasetId+worst]';
  const at = [datasetId, filter.threshold];
  const range =
    filter.side === 'below'
      ? getDb().suggestions.where(index).between([datasetId, Dexie.minKey], at, true, false)
      : getDb().suggestions.where(index).between(at, [datasetId, Dexie.maxKey], true, true);
  const keys = await range.primaryKeys();
  return new Set(keys.map(([, sha256]) => sha256));
}

/** The same set, again whenever a suggestion of the dataset is stored or removed. */
export function watchImagesByConfidence(
  datasetId: string,
  filter: ConfidenceFilter,
): Observable<Set<string>> {
  return liveQuery(() => imagesByConfidence(datasetId, filter));
}
