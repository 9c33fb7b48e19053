import { describe, expect, it } from 'vitest';
import { OFFLINE_WAIT, waitingText } from './sync-waiting';

describe('waitingText', () => {
  it('says a sync waits for the network while offline, not that it starts in a moment', () => {
    expect(waitingText({}, false)).toBe(OFFLINE_WAIT);
    expect(waitingText({ reason: 'The server cannot be reached' }, false)).toBe(OFFLINE_WAIT);
  });
  it('gives the queue reason, or an imminent start, online', () => {
    expect(waitingText({ reason: 'The server cannot be reached' }, true)).toBe(
      'The server cannot be reached',
    );
    expect(waitingText({}, true)).toBe('it starts in a moment.');
  });
});
