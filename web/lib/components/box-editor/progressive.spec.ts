import { describe, expect, it } from 'vitest';
import { nextShown } from './progressive';

const items = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ i, tag }));

describe('nextShown', () => {
  it('builds a crowded list a budget at a time, always a prefix of it', () => {
    const target = items(999, 'new');
    let shown: readonly { i: number }[] = [];
    const lengths: number[] = [];
    while (shown !== target) {
      shown = nextShown(shown, target, 200);
      lengths.push(shown.length);
      expect(shown).toEqual(target.slice(0, shown.length));
    }
    expect(lengths).toEqual([200, 400, 600, 800, 999]);
  });

  it('shows an edit in full at once: unchanged entries cost nothing', () => {
    const before = items(999, 'old');
    const added = [...before, { i: 999, tag: 'new' }];
    expect(nextShown(before, added, 1)).toBe(added);
    const recoloured = before.map((b, i) => (i === 500 ? { ...b, tag: 'other' } : b));
    expect(nextShown(before, recoloured, 1)).toBe(recoloured);
  });

  it('stops at the first change past the budget, so every entry shown is current', () => {
    const before = items(10, 'old');
    // Deleting the third entry shifts everything after it.
    const deleted = before.filter((_, i) => i !== 2);
    expect(nextShown(before, deleted, 3)).toEqual(deleted.slice(0, 5));
  });

  it('shows a shorter list (another photo with few boxes) at once', () => {
    const small = items(3, 'small');
    expect(nextShown(items(999, 'old'), small, 200)).toBe(small);
    expect(nextShown(items(5, 'old'), [], 200)).toEqual([]);
  });
});
