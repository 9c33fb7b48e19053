import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignSplit } from '$contract';
import { matchesSplit, photoSides, PREVIEW_SPLIT, splitSummary } from './split-view';

const sha = (i: number) => createHash('sha256').update(`p${i}`).digest('hex');
const rows = Array.from({ length: 13 }, (_, i) => ({
  sha256: sha(i),
  boxes: [{ classIndex: 0, x: 0, y: 0, w: 0.5, h: 0.5 }],
  ...(i === 0 ? { split: 'val' as const } : {}),
}));

describe('the split the dataset browser shows', () => {
  it('is the one a job with default settings gets from the server, pins kept', () => {
    const sides = photoSides(rows, 'detect');
    const job = assignSplit(
      rows.map((r) => ({ sha256: r.sha256, pin: r.split, classes: [0] })),
      PREVIEW_SPLIT,
    );
    expect(job.ok && [...job.split.val].sort()).toEqual(
      [...sides]
        .filter(([, s]) => s === 'val')
        .map(([x]) => x)
        .sort(),
    );
    expect(sides.get(sha(0))).toBe('val');
    expect(splitSummary(rows, sides)).toMatch(/^1[01] train · [23] validation · 1 pinned$/);
  });

  it('filters by side and by pin', () => {
    const sides = photoSides(rows, 'detect');
    expect(rows.filter((r) => matchesSplit(r, sides.get(r.sha256), 'pinned'))).toHaveLength(1);
    const val = rows.filter((r) => matchesSplit(r, sides.get(r.sha256), 'val'));
    expect(val.length).toBeGreaterThanOrEqual(2);
  });

  it('leaves classify photos without a class out, as their jobs do', () => {
    expect(photoSides([{ sha256: sha(1), boxes: [] }], 'classify').size).toBe(0);
  });
});
