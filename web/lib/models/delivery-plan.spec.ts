import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '$contract';
import { channelNameProblem, planDelivery, versionLabel, versionsToPrune } from './delivery-plan';

const version = (id: string): ModelVersion =>
  ({
    id,
    createdAt: '2026-03-01T10:20:00.000Z',
    metadata: { architecture: 'yolo11n' },
  }) as ModelVersion;

describe('planDelivery: the channel against what this device runs and keeps', () => {
  it('does nothing when the device already runs the channel version', () => {
    expect(planDelivery(version('a'), 'a', new Set(['a']))).toEqual({ kind: 'current' });
  });

  it('switches to a stored version without a download (a rollback)', () => {
    expect(planDelivery(version('a'), 'b', new Set(['a', 'b']))).toEqual({
      kind: 'activate',
      modelId: 'a',
    });
  });

  it('downloads a version this device does not have, also on a first visit', () => {
    expect(planDelivery(version('c'), 'b', new Set(['a', 'b']))).toMatchObject({
      kind: 'download',
      model: { id: 'c' },
    });
    expect(planDelivery(version('c'), null, new Set())).toMatchObject({ kind: 'download' });
  });

  it('skips a version that already failed to load or was cancelled here', () => {
    expect(planDelivery(version('c'), 'b', new Set(['c']), new Set(['c']))).toEqual({
      kind: 'skip',
      modelId: 'c',
    });
  });
});

describe('versionsToPrune: retention of stored versions', () => {
  const rows = (...ids: string[]) => ids.map((id, i) => ({ id, storedAt: i + 1 }));

  it('keeps the newest three and deletes older ones', () => {
    expect(versionsToPrune(rows('a', 'b', 'c', 'd', 'e'), [])).toEqual(['b', 'a']);
  });

  it('never deletes the active version, however old, and counts it among the kept', () => {
    expect(versionsToPrune(rows('a', 'b', 'c', 'd', 'e'), ['a', 'e'])).toEqual(['c', 'b']);
  });

  it('deletes nothing while there are no more than it keeps', () => {
    expect(versionsToPrune(rows('a', 'b'), ['a'])).toEqual([]);
    expect(versionsToPrune(rows('a', 'b', 'c'), ['x'], 2)).toEqual(['a']);
  });
});

describe('versionLabel', () => {
  it('names the architecture, when it was made and a short id', () => {
    expect(versionLabel(version('0123456789abcdef'))).toBe('yolo11n · 2026-03-01 10:20 · 01234567');
  });
});

describe('channelNameProblem', () => {
  it('accepts "<line>/<stage>" and explains what else is wrong', () => {
    expect(channelNameProblem('card-border/production')).toBeNull();
    expect(channelNameProblem('  ')).toBeNull();
    expect(channelNameProblem('Card Border')).toMatch(/<model line>\/<stage>/);
  });
});
