import { FINAL_JOB_STATUSES, type Job } from '$contract';

/**
 * How long a job has taken, in ms: from creation to its last change once it ended, else to `now`.
 * The API keeps no start-of-training time, so a job's wait in the queue is counted too.
 */
export function jobDurationMs(job: Pick<Job, 'status' | 'createdAt' | 'updatedAt'>, now: number) {
  const start = Date.parse(job.createdAt);
  const end = FINAL_JOB_STATUSES.includes(job.status) ? Date.parse(job.updatedAt) : now;
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
