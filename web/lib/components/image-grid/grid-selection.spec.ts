import { describe, expect, it } from 'vitest';
import { nothingPicked, pick, pickAll, pickedOf, unpick, type Picking } from './grid-selection';

const items = ['a', 'b', 'c', 'd', 'e', 'f'].map((sha256) => ({ sha256 }));
const names = (s: Picking) => [...s.picked].sort().join('');

describe('grid selection', () => {
  it('toggles one photo per tap and remembers it as the anchor', () => {
    let s = pick(nothingPicked, items, 1, false);
    s = pick(s, items, 3, false);
    expect([names(s), s.anchor]).toEqual(['bd', 'd']);
    s = pick(s, items, 1, false);
    expect([names(s), s.anchor]).toEqual(['d', 'b']);
    expect(nothingPicked.picked.size).toBe(0);
  });

  it('adds the range from the anchor with Shift, in either direction', () => {
    let s = pick(nothingPicked, items, 4, false);
    s = pick(s, items, 1, true);
    expect(names(s)).toBe('bcde');
    s = pick(s, items, 5, true);
    expect(names(s)).toBe('bcdef');
  });

  it('toggles alone on Shift when the anchor is not shown (filtered out)', () => {
    const s = pick({ picked: new Set(['z']), anchor: 'z' }, items, 2, true);
    expect(names(s)).toBe('cz');
  });

  it('picks all shown, drops removed photos, and lists picks in the given order', () => {
    let s = pickAll(pick(nothingPicked, items, 0, false), items.slice(3));
    expect(names(s)).toBe('adef');
    s = unpick(s, new Set(['a', 'e']));
    expect([names(s), s.anchor]).toEqual(['df', null]);
    expect(pickedOf(s, [...items].reverse()).map((i) => i.sha256)).toEqual(['f', 'd']);
  });
});
