import { describe, expect, it } from 'vitest';
import { leaderboards } from './leaderboard';
import { fixtureDataset, fixtureJob, fixtureModel } from './registry-fixtures';
import { matchesQuery, registryRows, sortRegistry } from './registry-rows';
import { parseValidationReport } from './validation-report';

const box = (m: number) => ({ 'metrics/mAP50-95(B)': m, 'metrics/mAP50(B)': m + 0.2 });
const models = [
  fixtureModel('m1', 'detect', box(0.3), { createdAt: '2025-01-01T10:00:00Z', onnxBytes: 5e6 }),
  fixtureModel('m2', 'detect', box(0.5), { createdAt: '2025-01-02T10:00:00Z', onnxBytes: 9e6 }),
  fixtureModel('m3', 'classify', { 'metrics/accuracy_top1': 0.8 }, { classNames: ['holo'] }),
  fixtureModel('m4', 'detect', {}, { createdAt: '2025-01-03T10:00:00Z' }),
  fixtureModel('m5', 'detect', box(0.3), { createdAt: '2025-01-04T10:00:00Z' }),
];
// Queued two minutes, trained three: the training time leaves the queue out.
const jobs = [
  fixtureJob('job-m1', {
    createdAt: '2025-01-01T09:58:00.000Z',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:03:00.000Z',
    updatedAt: '2025-01-01T10:04:00.000Z',
  }),
];
const bench = (ms: number) => parseValidationReport({ onnxBenchmark: { medianMs: ms } });
const reports = new Map([
  ['m1', bench(4)],
  ['m2', bench(8)],
  ['m5', bench(6)],
]);
const rows = registryRows(models, jobs, [fixtureDataset('Card fronts')], reports);
const ids = (rs: { model: { id: string } }[]) => rs.map((r) => r.model.id);

describe('registry rows', () => {
  it('joins each model with its job, dataset and benchmark', () => {
    expect(rows[0]).toMatchObject({
      datasetName: 'Card fronts',
      score: 0.3,
      secondary: 0.5,
      inferenceMs: 4,
      trainingMs: 180_000,
    });
    expect(rows[2]).toMatchObject({ score: 0.8, inferenceMs: undefined, trainingMs: undefined });
  });

  it('finds models by every word of a query, in any field', () => {
    const found = (q: string) => ids(rows.filter((r) => matchesQuery(r, q)));
    expect(found('holo')).toEqual(['m3']);
    expect(found('CARD yolo11n classify')).toEqual(['m3']);
    expect(found('job-m2')).toEqual(['m2']);
    expect(found('fronts')).toHaveLength(5);
    expect(found('segment')).toEqual([]);
  });

  it('sorts best, newest, smallest and fastest first, missing numbers last', () => {
    expect(ids(sortRegistry(rows, 'score'))).toEqual(['m3', 'm2', 'm1', 'm5', 'm4']);
    expect(ids(sortRegistry(rows, 'date'))).toEqual(['m5', 'm4', 'm2', 'm3', 'm1']);
    expect(ids(sortRegistry(rows, 'size')).at(0)).toBe('m1');
    expect(ids(sortRegistry(rows, 'speed'))).toEqual(['m1', 'm5', 'm2', 'm3', 'm4']);
    expect(ids(sortRegistry(rows, 'speed', true))).toEqual(['m2', 'm5', 'm1', 'm3', 'm4']);
  });
});

describe('leaderboard', () => {
  it('ranks per task by the headline metric, a tie going to the faster model', () => {
    const boards = leaderboards(rows);
    expect(boards.map((b) => b.task)).toEqual(['detect', 'classify']);
    expect(ids(boards[0]!.entries.map((e) => e.row))).toEqual(['m2', 'm1', 'm5']);
    expect(boards[0]!.entries.map((e) => e.rank)).toEqual([1, 2, 3]);
    expect(boards[1]!.metric.label).toBe('top-1');
  });
});
