import { describe, expect, it } from 'vitest';
import { sortBy } from './sort-values';

describe('sortBy', () => {
  const items = [
    { id: 'a', v: 2 },
    { id: 'b', v: undefined },
    { id: 'c', v: 5 },
    { id: 'd', v: 2 },
  ];
  const ids = (xs: typeof items) => xs.map((x) => x.id).join('');

  it('sorts either way with missing values last', () => {
    expect(ids(sortBy(items, (x) => x.v, 'desc'))).toBe('cadb');
    expect(ids(sortBy(items, (x) => x.v, 'asc'))).toBe('adcb');
  });

  it('leaves the input as it was', () => {
    sortBy(items, (x) => x.v, 'asc');
    expect(ids(items)).toBe('abcd');
  });
});
