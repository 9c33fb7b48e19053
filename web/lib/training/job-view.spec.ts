import { describe, expect, it } from 'vitest';
import { CreateJobRequest, type Job } from '$contract';
import { applyJobEvent, shownNotices, storedNotices, type JobView } from './job-view';

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
  startedAt: null,
  finishedAt: null,
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
    view = applyJobEvent(view, { type: 'notice', level: 'warning', message: 'retrying' }, 7);
    view = applyJobEvent(view, {
      type: 'health',
      health: { runnerId: 'r', device: 'cpu', cpuPercent: 50, gpus: [] },
    });
    expect(view.job).toMatchObject({
      status: 'failed',
      error: 'disk full',
      health: { cpuPercent: 50 },
    });
    expect(view.notices).toEqual([{ id: 7, level: 'warning', message: 'retrying' }]);
  });

  it('shows each notice once, whether it came from the stored log, the stream, or both', () => {
    const oom = { type: 'notice', level: 'warning', message: 'out of memory, batch 8' } as const;
    const later = { type: 'notice', level: 'info', message: 'resumed' } as const;
    // Read from the log on open: sent before the page was there.
    const notices = storedNotices([
      { id: 3, event: { type: 'status', status: 'training', error: null } },
      { id: 4, event: oom },
    ]);
    let view: JobView = { ...empty, notices };
    // The stream delivers it again (it was held while the log loaded), then a new one.
    view = applyJobEvent(view, oom, 4);
    view = applyJobEvent(view, later, 9);
    view = applyJobEvent(view, later, 9);
    expect(view.notices).toEqual([
      { id: 4, level: 'warning', message: 'out of memory, batch 8' },
      { id: 9, level: 'info', message: 'resumed' },
    ]);
  });
});

describe('shownNotices', () => {
  const info = (id: number, message: string) => ({ id, level: 'info' as const, message });
  it('collapses one "checkpoint saved" line per checkpoint into the latest, with a count', () => {
    const notices = [
      info(1, 'checkpoint saved after epoch 5'),
      info(2, 'out of memory, retrying with batch 8'),
      ...[10, 15, 20].map((epoch, i) => info(3 + i, `checkpoint saved after epoch ${epoch}`)),
    ];
    expect(shownNotices(notices).map((n) => [n.id, n.message])).toEqual([
      [2, 'out of memory, retrying with batch 8'],
      [
        5,
        'Checkpoint saved after epoch 20 (4 checkpoints so far; a restarted job resumes from the latest)',
      ],
    ]);
  });
  it('leaves a single checkpoint notice and other notices alone', () => {
    const notices = [info(1, 'checkpoint saved after epoch 5'), info(2, 'warming up')];
    expect(shownNotices(notices)).toEqual(notices);
  });
});
