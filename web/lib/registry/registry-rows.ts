import type { DatasetVersion, Job, ModelVersion, Task } from '$contract';
import { jobDurationMs } from './duration';
import { primaryValue, secondaryValue } from './metric-names';
import { sortBy, type SortDirection } from './sort-values';
import { inferenceMs, type ValidationReport } from './validation-report';

/** One model version as the registry lists it, joined with its job, dataset and benchmark. */
export type RegistryRow = {
  model: ModelVersion;
  job: Job | undefined;
  datasetName: string | undefined;
  task: Task;
  /** mAP50-95 (mask mAP50-95 for segment, top-1 for classify). */
  score: number | undefined;
  /** mAP50 (mask mAP50, top-5). */
  secondary: number | undefined;
  inferenceMs: number | undefined;
  trainingMs: number | undefined;
  createdAt: number;
};

export function registryRows(
  models: readonly ModelVersion[],
  jobs: readonly Job[],
  datasets: readonly DatasetVersion[],
  reports: ReadonlyMap<string, ValidationReport | null>,
): RegistryRow[] {
  const jobById = new Map(jobs.map((j) => [j.id, j]));
  const datasetById = new Map(datasets.map((d) => [d.id, d]));
  return models.map((model) => {
    const job = jobById.get(model.jobId);
    const metrics = model.metadata.metrics;
    return {
      model,
      job,
      datasetName: datasetById.get(model.metadata.datasetVersionId)?.name,
      task: model.task,
      score: primaryValue(model.task, metrics),
      secondary: secondaryValue(model.task, metrics),
      inferenceMs: inferenceMs(reports.get(model.id) ?? null),
      // A registered model's job has ended, so its duration does not depend on the clock.
      trainingMs: job ? jobDurationMs(job, Date.parse(job.finishedAt ?? job.updatedAt)) : undefined,
      createdAt: Date.parse(model.createdAt),
    };
  });
}

/**
 * Every word must appear in the model's dataset name, task, classes, architecture, job or id, so
 * "card yolo11" narrows the list the way a person expects.
 */
export function matchesQuery(row: RegistryRow, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = [
    row.datasetName ?? '',
    row.task,
    ...row.model.classNames,
    row.model.metadata.architecture,
    row.model.jobId,
    row.model.id,
  ]
    .join(' ')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export const REGISTRY_SORTS = {
  date: { label: 'date', value: (r: RegistryRow) => r.createdAt, direction: 'desc' },
  score: { label: 'mAP50-95 / top-1', value: (r: RegistryRow) => r.score, direction: 'desc' },
  secondary: { label: 'mAP50 / top-5', value: (r: RegistryRow) => r.secondary, direction: 'desc' },
  size: { label: 'size', value: (r: RegistryRow) => r.model.onnxBytes, direction: 'asc' },
  speed: { label: 'speed', value: (r: RegistryRow) => r.inferenceMs, direction: 'asc' },
} as const satisfies Record<
  string,
  { label: string; value: (r: RegistryRow) => number | undefined; direction: SortDirection }
>;
export type RegistrySort = keyof typeof REGISTRY_SORTS;

/** Each key sorts its natural way first (best, smallest, fastest, newest); `reverse` flips it. */
export function sortRegistry(rows: readonly RegistryRow[], key: RegistrySort, reverse = false) {
  const sort = REGISTRY_SORTS[key];
  const flipped = sort.direction === 'asc' ? 'desc' : 'asc';
  return sortBy(rows, sort.value, reverse ? flipped : sort.direction);
}
