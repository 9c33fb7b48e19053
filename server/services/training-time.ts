import {
  EPOCH_TIME_KEY,
  estimateTrainingTime,
  type EpochPace,
  type TrainingTimeEstimate,
  type TrainingTimeQuery,
} from '../contract';
import type { JobRepository } from '../repositories/job.repository';

/** How many finished jobs the estimate looks back over: recent ones show the runner as it is. */
const RECENT_JOBS = 50;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * The pace of each recently finished job: the median of its epochs' wall times (the first epoch
 * also pays for loading and caching the photos, so a mean would run high). A job kept from
 * before splits were stored, or with no timed epoch, says nothing and is left out.
 */
export function epochPaces(jobs: JobRepository, limit = RECENT_JOBS): EpochPace[] {
  const paces: EpochPace[] = [];
  for (const { job, split } of jobs.recentCompleted(limit)) {
    const times = jobs
      .epochs(job.id)
      .map((e) => e.metrics[EPOCH_TIME_KEY])
      .filter((t): t is number => typeof t === 'number' && t > 0);
    if (!split || !times.length) continue;
    paces.push({
      jobId: job.id,
      runnerId: job.health?.runnerId ?? null,
      device: job.health?.device ?? null,
      model: job.config.model,
      task: job.config.task,
      imgsz: job.config.imgsz,
      // Distinct photos: a class's only photo may both train and validate.
      photos: new Set([...split.train, ...split.val]).size,
      secondsPerEpoch: median(times),
      finishedAt: job.finishedAt ?? job.updatedAt,
    });
  }
  return paces;
}

export function trainingTime(jobs: JobRepository, ask: TrainingTimeQuery): TrainingTimeEstimate {
  return estimateTrainingTime(epochPaces(jobs), ask);
}
