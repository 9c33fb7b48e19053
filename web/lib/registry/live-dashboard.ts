import type { Job, JobEvent } from '$contract';
import { applyJobEvent } from '$lib/training/job-view';
import { addSample, progressFraction, type ProgressSample } from './eta';

/** The job list after one live event of `jobId`; jobs not in the list are left alone. */
export function applyToJobs(jobs: readonly Job[], jobId: string, event: JobEvent): Job[] {
  return jobs.map((job) =>
    job.id === jobId ? applyJobEvent({ job, epochs: [], notices: [] }, event).job : job,
  );
}

/** Progress samples per job for the ETA, with this event's observation added at `at`. */
export function withSample(
  samples: ReadonlyMap<string, ProgressSample[]>,
  job: Job,
  at: number,
): Map<string, ProgressSample[]> {
  const next = new Map(samples);
  next.set(
    job.id,
    addSample(samples.get(job.id) ?? [], at, progressFraction(job.status, job.progress)),
  );
  return next;
}
