import { FINAL_JOB_STATUSES, type Job } from '$contract';

/**
 * How long a job ran, in ms: from its start (a runner's first lease, a script's registration) to
 * its end, or to `now` while it runs; its wait in the queue is left out. A job that never
 * started (queued, or cancelled in the queue) has no duration.
 */
export function jobDurationMs(
  job: Pick<Job, 'status' | 'updatedAt' | 'startedAt' | 'finishedAt'>,
  now: number,
) {
  if (job.startedAt === null) return undefined;
  const start = Date.parse(job.startedAt);
  const final = FINAL_JOB_STATUSES.includes(job.status);
  const end = final ? Date.parse(job.finishedAt ?? job.updatedAt) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : undefined;
}

/** "42 s", "3 min 05 s", "2 h 07 min": as precise as the size of the number deserves. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
