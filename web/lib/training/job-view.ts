import type { EpochMetrics, Job, JobEvent, StoredJobEvent } from '$contract';

/** `id`: its place in the job's event log, so one read from REST and live is shown once. */
export type Notice = { id: number; level: 'info' | 'warning'; message: string };

/** What a job page shows, rebuilt from the snapshot and then from each live event. */
export type JobView = { job: Job; epochs: EpochMetrics[]; notices: Notice[] };

/**
 * Applies one live event; replays are harmless (an epoch or a notice already shown is not added
 * twice). `id` is the event's id in the job's log (0: unknown).
 */
export function applyJobEvent(view: JobView, event: JobEvent, id = 0): JobView {
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
      if (id > 0 && view.notices.some((n) => n.id === id)) return view;
      return {
        ...view,
        notices: [...view.notices, { id, level: event.level, message: event.message }].sort(
          (a, b) => a.id - b.id,
        ),
      };
  }
}

/** The notices among events read from the job's log (GET /api/jobs/:id/log). */
export function storedNotices(stored: readonly StoredJobEvent[]): Notice[] {
  return stored.flatMap(({ id, event }) =>
    event.type === 'notice' ? [{ id, level: event.level, message: event.message }] : [],
  );
}

export const isRunning = (job: Job) => !['completed', 'failed', 'cancelled'].includes(job.status);

const CHECKPOINT = /^checkpoint saved after epoch (\d+)$/;

/**
 * The notices as the page lists them: the server logs one "checkpoint saved" per checkpoint,
 * which on a long job pushes the chart below 30 lines of them; they become one line, where the
 * latest was, saying the latest epoch and how many were saved. Other notices stay as they are.
 */
export function shownNotices(notices: readonly Notice[]): Notice[] {
  const checkpoints = notices.filter((n) => CHECKPOINT.test(n.message));
  if (checkpoints.length < 2) return [...notices];
  const latest = checkpoints.at(-1)!;
  const epoch = CHECKPOINT.exec(latest.message)?.[1];
  const line = {
    ...latest,
    message: `Checkpoint saved after epoch ${epoch} (${checkpoints.length} checkpoints so far; a restarted job resumes from the latest)`,
  };
  return notices.flatMap((n) => (n === latest ? [line] : CHECKPOINT.test(n.message) ? [] : [n]));
}
