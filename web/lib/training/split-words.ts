import type { SplitPreview } from '$contract';

/** "13 photos: 10 train · 3 validation (1 pinned)", or the reason no job can be made. */
export function splitCountsText(preview: SplitPreview): string {
  if (preview.problem) return preview.problem;
  const { counts, pinned } = preview;
  const side = (n: number, name: string, pins: number) =>
    `${n} ${name}${pins ? ` (${pins} pinned)` : ''}`;
  const sides = [
    side(counts.train, 'train', pinned.train),
    side(counts.val, 'validation', pinned.val),
    ...(counts.test || pinned.test ? [side(counts.test, 'test', pinned.test)] : []),
  ];
  return `${preview.photos} ${preview.photos === 1 ? 'photo' : 'photos'}: ${sides.join(' · ')}`;
}

/** The share a side really got, for "asked 20%, got 23%". */
export const sharePercent = (n: number, of: number) => (of ? Math.round((100 * n) / of) : 0);
