import { describe, expect, it } from 'vitest';
import { formatDuration, jobDurationMs } from './duration';

describe('job duration', () => {
  const startedAt = '2025-01-01T10:00:00.000Z';
  const job = { startedAt, finishedAt: null, updatedAt: startedAt };

  it('runs from the start to the end of a finished job, whatever changed after', () => {
    const done = {
      ...job,
      status: 'completed' as const,
      finishedAt: '2025-01-01T10:03:05.000Z',
      updatedAt: '2025-01-01T11:00:00.000Z',
    };
    expect(jobDurationMs(done, Date.parse('2025-01-02T00:00:00Z'))).toBe(185_000);
  });

  it('runs on to now while the job is active', () => {
    const active = { ...job, status: 'training' as const };
    expect(jobDurationMs(active, Date.parse('2025-01-01T10:00:42Z'))).toBe(42_000);
  });

  it('has none for a job that never started, and none for unreadable timestamps', () => {
    const queued = { ...job, status: 'queued' as const, startedAt: null };
    expect(jobDurationMs(queued, Date.parse('2025-01-01T10:00:42Z'))).toBeUndefined();
    const cancelled = { ...queued, status: 'cancelled' as const, finishedAt: startedAt };
    expect(jobDurationMs(cancelled, 0)).toBeUndefined();
    expect(jobDurationMs({ ...job, status: 'failed', startedAt: 'never' }, 0)).toBeUndefined();
  });

  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(undefined)).toBe('–');
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration((2 * 3600 + 7 * 60 + 10) * 1000)).toBe('2 h 07 min');
  });
});
