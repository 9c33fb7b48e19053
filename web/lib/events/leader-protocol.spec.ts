import { describe, expect, it } from 'vitest';
import { laterCursor, readMessage } from './leader-protocol';

describe('laterCursor', () => {
  it('keeps the cursor that is at least as far in both logs', () => {
    expect(laterCursor('10-3', '11-3')).toBe('11-3');
    expect(laterCursor('11-4', '11-3')).toBe('11-4');
    expect(laterCursor('11-3', '11-3')).toBe('11-3');
  });

  it('prefers any real cursor to none or to garbage', () => {
    expect(laterCursor(null, '0-0')).toBe('0-0');
    expect(laterCursor('5-1', null)).toBe('5-1');
    expect(laterCursor('garbage', '5-1')).toBe('5-1');
    expect(laterCursor('5-1', 'garbage')).toBe('5-1');
    expect(laterCursor(null, null)).toBeNull();
  });
});

describe('readMessage', () => {
  it('reads the messages tabs exchange and ignores anything else', () => {
    const move = {
      id: 3,
      channel: 'cards/production',
      modelId: '0b5f5c8e-6f3f-4a43-9d2e-2f8d1b7f3c11',
      previousModelId: null,
      action: 'promote',
      at: '2026-01-01T00:00:00.000Z',
    };
    const event = { kind: 'event', id: '7-3', event: { type: 'channel', move } };
    expect(readMessage(event)).toEqual(event);
    expect(readMessage({ kind: 'status', status: 'open', id: null })).toMatchObject({
      status: 'open',
    });
    expect(readMessage({ kind: 'hello' })).toEqual({ kind: 'hello' });
    expect(readMessage({ kind: 'event', id: '1-1', event: { type: 'nope' } })).toBeNull();
    expect(readMessage('hello')).toBeNull();
  });
});
