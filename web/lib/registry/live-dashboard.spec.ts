import { describe, expect, it } from 'vitest';
import { applyToJobs, withSample } from './live-dashboard';
import { fixtureJob } from './registry-fixtures';

describe('live dashboard', () => {
  it('applies an event to its job only', () => {
    const jobs = [fixtureJob('a', { status: 'training' }), fixtureJob('b', { status: 'queued' })];
    const progress = { epoch: 2, epochs: 2, batch: 1, batches: 4 };
    const next = applyToJobs(jobs, 'a', { type: 'progress', progress });
    expect(next[0]?.progress).toEqual(progress);
    expect(next[1]).toBe(jobs[1]);
    const done = applyToJobs(next, 'a', { type: 'status', status: 'completed', error: null });
    expect(done[0]?.status).toBe('completed');
  });

  it('records where a job is for its ETA', () => {
    const job = fixtureJob('a', {
      status: 'training',
      progress: { epoch: 2, epochs: 2, batch: 2, batches: 4 },
    });
    const samples = withSample(new Map(), job, 1000);
    expect(samples.get('a')).toEqual([{ at: 1000, fraction: 0.75 }]);
  });
});
