export type SortDirection = 'asc' | 'desc';

/**
 * Compares two optional numbers; a missing one sorts last whichever the direction, so a model
 * without a benchmark never tops the list of the fastest.
 */
export function compareOptional(
  a: number | undefined,
  b: number | undefined,
  direction: SortDirection,
): number {
  const aMissing = a === undefined || Number.isNaN(a);
  const bMissing = b === undefined || Number.isNaN(b);
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  return direction === 'asc' ? a - b : b - a;
}

/** A stable sort by one optional number, ties kept in their incoming order. */
export function sortBy<T>(
  items: readonly T[],
  value: (item: T) => number | undefined,
  direction: SortDirection,
): T[] {
  return items
    .map((item, index) => ({ item, index, v: value(item) }))
    .sort((a, b) => compareOptional(a.v, b.v, direction) || a.index - b.index)
    .map((x) => x.item);
}
