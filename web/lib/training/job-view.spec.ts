import { describe, expect, it } from 'vitest';
import { CreateJobRequest, type Job } from '$contract';
import { applyJobEvent, type JobView } from './job-view';

const job: Job = {
  origin: 'queue',
  id: 'j',
  status: 'training',
  config: CreateJobRequest.parse({ datasetVersionId: 'a'.repeat(64), task: 'detect' }),
  progress: null,
  health: null,
  checkpointEpoch: null,
  error: null,
  modelVersionId: null,
  createdAt: '',
  updatedAt: '',
};
const empty: JobView = { job, epochs: [], notices: [] };

describe('applyJobEvent', () => {
  it('adds each epoch once and keeps them in order, however the stream replays them', () => {
    let view = empty;
    for (const epoch of [2, 1, 2, 3, 1]) {
      view = applyJobEvent(view, { type: 'epoch', epoch, metrics: { loss: epoch } });
    }
    expect(view.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  });

  it('moves status, progress and health, and collects notices', () => {
    let view = applyJobEvent(empty, { type: 'status', status: 'failed', error: 'disk full' });
    view = applyJobEvent(view, { type: 'notice', level: 'warning', message: 'retrying' });
    view = applyJobEvent(view, {
      type: 'health',
      health: { runnerId: 'r', device: 'cpu', cpuPercent: 50, gpus: [] },
    });
    expect(view.job).toMatchObject({
      status: 'failed',
      error: 'disk full',
      health: { cpuPercent: 50 },
    });
    expect(view.notices).toEqual([{ level: 'warning', message: 'retrying' }]);
  });
});
