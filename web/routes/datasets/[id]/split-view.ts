// Each photo's split as the browser shows it: the same function the server runs when a job is
// created (contract/split.ts), with a job's default settings, over the photos on this device.
// A job with another seed or share, or on a version that differs from this device, splits
// differently; its Review step shows the real counts.
import { assignSplit, type SplitName, type Task } from '$contract';
import type { AnnotationRow } from '$lib/db/database';

export const PREVIEW_SPLIT = { seed: 0, valFraction: 0.2, testFraction: 0 } as const;

export type SplitFilter = '' | SplitName | 'pinned';

type Row = Pick<AnnotationRow, 'sha256' | 'boxes' | 'polygons' | 'imageClass' | 'split'>;

const classesOf = (row: Row) => [
  ...row.boxes.map((b) => b.classIndex),
  ...(row.polygons ?? []).map((p) => p.classIndex),
  ...(row.imageClass !== undefined ? [row.imageClass] : []),
];

/** sha256 -> its side; classify leaves out photos without a class, as its jobs do. */
export function photoSides(rows: readonly Row[], task: Task): Map<string, SplitName> {
  const used = task === 'classify' ? rows.filter((r) => r.imageClass !== undefined) : rows;
  const photos = used.map((r) => ({ sha256: r.sha256, pin: r.split, classes: classesOf(r) }));
  const result = assignSplit(photos, PREVIEW_SPLIT);
  // Too few photos to split: only the pins are known.
  if (!result.ok) return new Map(used.flatMap((r) => (r.split ? [[r.sha256, r.split]] : [])));
  const { train, val, test } = result.split;
  const sides = new Map<string, SplitName>();
  for (const [side, shas] of [
    ['train', train],
    ['val', val],
    ['test', test],
  ] as const) {
    for (const sha of shas) sides.set(sha, side);
  }
  return sides;
}

export function matchesSplit(row: Row, side: SplitName | undefined, filter: SplitFilter) {
  if (filter === '') return true;
  if (filter === 'pinned') return row.split !== undefined;
  return side === filter;
}

/** "47 train · 12 validation · 3 pinned" for the rows shown. */
export function splitSummary(rows: readonly Row[], sides: ReadonlyMap<string, SplitName>) {
  const count = (side: SplitName) => rows.filter((r) => sides.get(r.sha256) === side).length;
  const pinned = rows.filter((r) => r.split).length;
  const test = count('test');
  return (
    `${count('train')} train · ${count('val')} validation` +
    (test ? ` · ${test} test` : '') +
    (pinned ? ` · ${pinned} pinned` : '')
  );
}
