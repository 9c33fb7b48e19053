import { describe, expect, it } from 'vitest';
import { requestedRange } from './stored-file-response';

describe('requestedRange', () => {
  it('reads the range forms a resuming download sends', () => {
    expect(requestedRange('bytes=100-', 1000)).toEqual({ start: 100, end: 999 });
    expect(requestedRange('bytes=0-9', 1000)).toEqual({ start: 0, end: 9 });
    expect(requestedRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
    expect(requestedRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
  });

  it('refuses a start past the end, and sends everything for what it cannot serve', () => {
    expect(requestedRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(requestedRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(requestedRange(undefined, 1000)).toBeNull();
    expect(requestedRange('bytes=0-1,5-9', 1000)).toBeNull();
    expect(requestedRange('items=0-1', 1000)).toBeNull();
    expect(requestedRange('bytes=9-2', 1000)).toBeNull();
  });
});
