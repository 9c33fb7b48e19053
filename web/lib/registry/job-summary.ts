import type { Job, ModelVersion } from '$contract';
import { isActive } from './job-history';

export type JobSummary = {
  active: number;
  total: number;
  completed: number;
  /** The best box or mask mAP50-95 of any registered model (classify reports no mAP). */
  bestMap: { value: number; modelId: string } | undefined;
};

const MAP_KEYS = { detect: 'metrics/mAP50-95(B)', segment: 'metrics/mAP50-95(M)' } as const;

export function jobSummary(jobs: readonly Job[], models: readonly ModelVersion[]): JobSummary {
  let bestMap: JobSummary['bestMap'];
  for (const model of models) {
    if (model.task === 'classify') continue;
    const value = model.metadata.metrics[MAP_KEYS[model.task]];
    if (value !== undefined && (!bestMap || value > bestMap.value))
      bestMap = { value, modelId: model.id };
  }
  return {
    active: jobs.filter(isActive).length,
    total: jobs.length,
    completed: jobs.filter((j) => j.status === 'completed').length,
    bestMap,
  };
}
