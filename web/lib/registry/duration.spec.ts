import { describe, expect, it } from 'vitest';
import { formatDuration, jobDurationMs } from './duration';

describe('job duration', () => {
  const createdAt = '2025-01-01T10:00:00.000Z';

  it('ends at the last change of a finished job', () => {
    const job = { status: 'completed' as const, createdAt, updatedAt: '2025-01-01T10:03:05.000Z' };
    expect(jobDurationMs(job, Date.parse('2025-01-02T00:00:00Z'))).toBe(185_000);
  });

  it('runs on to now while the job is active', () => {
    const job = { status: 'training' as const, createdAt, updatedAt: createdAt };
    expect(jobDurationMs(job, Date.parse('2025-01-01T10:00:42Z'))).toBe(42_000);
  });

  it('is unknown for unreadable timestamps', () => {
    const job = { status: 'failed' as const, createdAt: 'never', updatedAt: createdAt };
    expect(jobDurationMs(job, 0)).toBeUndefined();
  });

  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(undefined)).toBe('–');
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration((2 * 3600 + 7 * 60 + 10) * 1000)).toBe('2 h 07 min');
  });
});
