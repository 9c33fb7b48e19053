import { describe, expect, it } from 'vitest';
import { JobStatus, type JobPage } from '$contract';
import { filterHistory, historyRows, NO_FILTER, sortHistory } from './job-history';
import { jobSummary } from './job-summary';
import { fixtureJob, fixtureModel } from './registry-fixtures';

const at = (day: string, hm: string) => new Date(`${day}T${hm}:00`).toISOString();
// Each waited in the queue for a while before it started; durations leave that out.
const ran = (day: string, created: string, started: string, finished: string | null) => ({
  createdAt: at(day, created),
  startedAt: at(day, started),
  finishedAt: finished === null ? null : at(day, finished),
  updatedAt: at(day, finished ?? started),
});
const jobs = [
  fixtureJob('a', { ...ran('2025-03-01', '09:50', '10:00', '10:02'), modelVersionId: 'ma' }),
  fixtureJob('b', { ...ran('2025-03-02', '09:00', '10:00', '10:30'), modelVersionId: 'mb' }),
  fixtureJob('c', { status: 'failed', ...ran('2025-03-03', '09:59', '10:00', '10:01') }),
  fixtureJob('d', { status: 'training', ...ran('2025-03-04', '09:30', '10:00', null) }),
  fixtureJob('e', {
    status: 'queued',
    createdAt: at('2025-03-04', '11:00'),
    updatedAt: at('2025-03-04', '11:00'),
    startedAt: null,
    finishedAt: null,
  }),
];
const models = [
  fixtureModel('ma', 'detect', { 'metrics/mAP50-95(B)': 0.6 }),
  fixtureModel('mb', 'segment', { 'metrics/mAP50-95(B)': 0.9, 'metrics/mAP50-95(M)': 0.4 }),
  fixtureModel('mc', 'classify', { 'metrics/accuracy_top1': 0.99 }),
];
const now = new Date(at('2025-03-04', '12:00')).getTime();
const rows = historyRows(jobs, models, now);
const ids = (rs: typeof rows) => rs.map((r) => r.job.id).join('');

describe('job history', () => {
  it('gives each job its duration and its model score', () => {
    expect(rows.map((r) => r.durationMs)).toEqual([
      120_000,
      1_800_000,
      60_000,
      7_200_000,
      undefined,
    ]);
    expect(rows.map((r) => r.score)).toEqual([0.6, 0.4, undefined, undefined, undefined]);
  });

  it('filters by status, day, duration and score', () => {
    const only = (f: Partial<typeof NO_FILTER>) => ids(filterHistory(rows, { ...NO_FILTER, ...f }));
    expect(only({})).toBe('abcde');
    expect(only({ status: 'failed' })).toBe('c');
    expect(only({ from: '2025-03-02', to: '2025-03-03' })).toBe('bc');
    expect(only({ to: '2025-03-01' })).toBe('a');
    expect(only({ minMinutes: 30 })).toBe('bd');
    expect(only({ maxMinutes: 2 })).toBe('ac');
    expect(only({ minScore: 0.5 })).toBe('a');
  });

  it('sorts by date, duration, score and status', () => {
    expect(ids(sortHistory(rows, 'date', 'desc'))).toBe('edcba');
    expect(ids(sortHistory(rows, 'duration', 'asc'))).toBe('cabde');
    expect(ids(sortHistory(rows, 'score', 'desc'))).toBe('abcde');
    expect(ids(sortHistory(rows, 'status', 'asc'))).toBe('edabc');
  });
});

describe('dashboard summary', () => {
  const counts = (byStatus: Partial<JobPage['byStatus']>) => {
    const all = Object.fromEntries(JobStatus.options.map((k) => [k, byStatus[k] ?? 0]));
    const total = Object.values(all).reduce((a, b) => a + b, 0);
    return { total, byStatus: all as JobPage['byStatus'] };
  };

  it("takes the server's counts over every job, and finds the best mAP50-95", () => {
    // 250 jobs: more than one page holds. Segment counts its mask mAP; classify has none.
    const all = counts({ queued: 3, preparing: 1, training: 2, exporting: 1, completed: 200 });
    expect(jobSummary({ ...all, total: 250 }, models)).toEqual({
      active: 7,
      total: 250,
      completed: 200,
      bestMap: { value: 0.6, modelId: 'ma' },
    });
  });

  it('has no best mAP without a detect or segment model', () => {
    expect(jobSummary(counts({}), models.slice(2)).bestMap).toBeUndefined();
  });
});

describe('external runs in the history', () => {
  it('score by the final metrics the script reported', () => {
    const external = {
      ...fixtureJob('x'),
      origin: 'external' as const,
      config: {
        name: 'notebook',
        task: 'classify' as const,
        model: 'yolo11n-cls.yaml',
        epochs: 3,
        imgsz: 64,
      },
      finalMetrics: { 'metrics/accuracy_top1': 0.7 },
    };
    expect(historyRows([external], [], 0)[0]?.score).toBe(0.7);
  });
});
