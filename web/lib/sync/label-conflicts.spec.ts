import { describe, expect, it } from 'vitest';
import { reachedServer } from './label-conflicts';

describe('reachedServer', () => {
  it('is false for a dataset never synced, so its conflicts are not asked for', () => {
    expect(reachedServer(undefined)).toBe(false);
    expect(reachedServer({ lastAck: 0, cursor: 0 })).toBe(false);
  });
  it('is true once the server acknowledged an edit or this device pulled from it', () => {
    expect(reachedServer({ lastAck: 3, cursor: 0 })).toBe(true);
    expect(reachedServer({ lastAck: 0, cursor: 12 })).toBe(true);
  });
});
