import type { EpochMetrics, Job, JobEvent } from '$contract';

export type Notice = { level: 'info' | 'warning'; message: string };

/** What a job page shows, rebuilt from the snapshot and then from each live event. */
export type JobView = { job: Job; epochs: EpochMetrics[]; notices: Notice[] };

/** Applies one live event; replays are harmless (an epoch already shown is not added twice). */
export function applyJobEvent(view: JobView, event: JobEvent): JobView {
  const { job } = view;
  switch (event.type) {
    case 'status':
      return { ...view, job: { ...job, status: event.status, error: event.error } };
    case 'progress':
      return { ...view, job: { ...job, progress: event.progress } };
    case 'health':
      return { ...view, job: { ...job, health: event.health } };
    case 'model':
      return { ...view, job: { ...job, modelVersionId: event.modelVersionId } };
    case 'epoch':
      if (view.epochs.some((e) => e.epoch === event.epoch)) return view;
      return {
        ...view,
        epochs: [...view.epochs, { epoch: event.epoch, metrics: event.metrics }].sort(
          (a, b) => a.epoch - b.epoch,
        ),
      };
    case 'notice':
      return {
        ...view,
        notices: [...view.notices, { level: event.level, message: event.message }],
      };
  }
}

export const isRunning = (job: Job) => !['completed', 'failed', 'cancelled'].includes(job.status);
