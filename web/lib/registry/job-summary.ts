import { FINAL_JOB_STATUSES, JobStatus, type JobPage, type ModelVersion } from '$contract';

export type JobSummary = {
  active: number;
  total: number;
  completed: number;
  /** The best box or mask mAP50-95 of any registered model (classify reports no mAP). */
  bestMap: { value: number; modelId: string } | undefined;
};

const MAP_KEYS = { detect: 'metrics/mAP50-95(B)', segment: 'metrics/mAP50-95(M)' } as const;

/** Counts come from the server's page (over every job), not from the jobs the page holds. */
export function jobSummary(
  counts: Pick<JobPage, 'total' | 'byStatus'>,
  models: readonly ModelVersion[],
): JobSummary {
  let bestMap: JobSummary['bestMap'];
  for (const model of models) {
    if (model.task === 'classify') continue;
    const value = model.metadata.metrics[MAP_KEYS[model.task]];
    if (value !== undefined && (!bestMap || value > bestMap.value))
      bestMap = { value, modelId: model.id };
  }
  return {
    active: JobStatus.options
      .filter((s) => !FINAL_JOB_STATUSES.includes(s))
      .reduce((n, s) => n + counts.byStatus[s], 0),
    total: counts.total,
    completed: counts.byStatus.completed,
    bestMap,
  };
}
