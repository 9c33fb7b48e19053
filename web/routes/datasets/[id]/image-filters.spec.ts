import { describe, expect, it } from 'vitest';
import {
  classCounts,
  filterImages,
  matches,
  matchesConfidence,
  neighbour,
  reviewState,
} from './image-filters';

const box = (classIndex: number) => ({ classIndex, x: 0, y: 0, w: 0.5, h: 0.5 });
const rows = [
  { sha256: 'a', boxes: [] },
  { sha256: 'b', boxes: [box(0), box(0), box(1)] },
  { sha256: 'c', boxes: [], imageClass: 1, reviewedAt: 5 },
  {
    sha256: 'd',
    boxes: [],
    polygons: [
      {
        classIndex: 1,
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
        ] as [number, number][],
      },
    ],
  },
];
const shas = (filter: Parameters<typeof matches>[1]) =>
  rows.filter((r) => matches(r, filter)).map((r) => r.sha256);

describe('image filters', () => {
  it('filters by review state and by class', () => {
    expect(rows.map(reviewState)).toEqual(['to do', 'labeled', 'reviewed', 'labeled']);
    expect(shas({ state: 'all', classIndex: null })).toEqual(['a', 'b', 'c', 'd']);
    expect(shas({ state: 'unlabeled', classIndex: null })).toEqual(['a']);
    expect(shas({ state: 'labeled', classIndex: null })).toEqual(['b', 'c', 'd']);
    expect(shas({ state: 'reviewed', classIndex: null })).toEqual(['c']);
    expect(shas({ state: 'all', classIndex: 0 })).toEqual(['b']);
    expect(shas({ state: 'labeled', classIndex: 1 })).toEqual(['b', 'c', 'd']);
  });

  it('keeps only the images the confidence index answered, while that filter is on', () => {
    const all = { state: 'all', classIndex: null } as const;
    const ids = (list: { sha256: string }[]) => list.map((r) => r.sha256);
    expect(ids(filterImages(rows, all, null))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(filterImages(rows, all, new Set(['d', 'a', 'gone'])))).toEqual(['a', 'd']);
    expect(
      ids(filterImages(rows, { state: 'labeled', classIndex: null }, new Set(['a', 'd']))),
    ).toEqual(['d']);
    expect(filterImages(rows, all, new Set())).toEqual([]);
  });

  it('counts labels and images per class', () => {
    expect(classCounts(rows, 3)).toEqual([
      { labels: 2, images: 1 },
      { labels: 3, images: 3 },
      { labels: 0, images: 0 },
    ]);
  });

  it('steps among shown images, also from one that just left the filter', () => {
    const shown = [rows[0]!, rows[3]!];
    expect(neighbour(rows, shown, 'a', 1)?.sha256).toBe('d');
    expect(neighbour(rows, shown, 'b', 1)?.sha256).toBe('d');
    expect(neighbour(rows, shown, 'c', -1)?.sha256).toBe('a');
    expect(neighbour(rows, shown, 'd', 1)).toBeUndefined();
  });
});

describe('the prediction confidence filter', () => {
  const suggested = [{ confidence: 0.9 }, { confidence: 0.3 }];
  it('looks at the best or the worst suggestion, on either side of the threshold', () => {
    expect(matchesConfidence(suggested, { which: 'best', side: 'below', threshold: 0.5 })).toBe(
      false,
    );
    expect(matchesConfidence(suggested, { which: 'worst', side: 'below', threshold: 0.5 })).toBe(
      true,
    );
    expect(matchesConfidence(suggested, { which: 'best', side: 'above', threshold: 0.9 })).toBe(
      true,
    );
    expect(matchesConfidence(suggested, { which: 'worst', side: 'above', threshold: 0.31 })).toBe(
      false,
    );
  });

  it('never keeps an image without suggestions', () => {
    for (const side of ['below', 'above'] as const) {
      expect(matchesConfidence(undefined, { which: 'best', side, threshold: 0.5 })).toBe(false);
      expect(matchesConfidence([], { which: 'worst', side, threshold: 0.5 })).toBe(false);
    }
  });
});
