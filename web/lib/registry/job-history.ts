import { FINAL_JOB_STATUSES, JobStatus, type Job, type ModelVersion } from '$contract';
import { jobDurationMs } from './duration';
import { primaryValue } from './metric-names';
import { sortBy, type SortDirection } from './sort-values';

/** A job as the history lists it: how long it took and how good its model is. */
export type HistoryRow = {
  job: Job;
  createdAt: number;
  durationMs: number | undefined;
  /** The model's headline metric (mAP50-95, mask mAP50-95 or top-1), or an external run's final
   * one; none for a job that made neither. */
  score: number | undefined;
  model: ModelVersion | undefined;
};

export const isActive = (job: Job) => !FINAL_JOB_STATUSES.includes(job.status);

export function historyRows(jobs: readonly Job[], models: readonly ModelVersion[], now: number) {
  const modelById = new Map(models.map((m) => [m.id, m]));
  return jobs.map((job): HistoryRow => {
    const model = job.modelVersionId ? modelById.get(job.modelVersionId) : undefined;
    return {
      job,
      createdAt: Date.parse(job.createdAt),
      durationMs: jobDurationMs(job, now),
      score: model
        ? primaryValue(model.task, model.metadata.metrics)
        : job.origin === 'external' && job.finalMetrics
          ? primaryValue(job.config.task, job.finalMetrics)
          : undefined,
      model,
    };
  });
}

/** Empty fields filter nothing. Dates are the local calendar days a person picks. */
export type HistoryFilter = {
  status: JobStatus | 'all';
  from: string;
  to: string;
  minMinutes: number | null;
  maxMinutes: number | null;
  minScore: number | null;
};

export const NO_FILTER: HistoryFilter = {
  status: 'all',
  from: '',
  to: '',
  minMinutes: null,
  maxMinutes: null,
  minScore: null,
};

const dayStart = (day: string) => new Date(`${day}T00:00:00`).getTime();
const DAY_MS = 86_400_000;
const isSet = (n: number | null): n is number => typeof n === 'number' && Number.isFinite(n);

export function filterHistory(rows: readonly HistoryRow[], f: HistoryFilter): HistoryRow[] {
  const from = f.from ? dayStart(f.from) : -Infinity;
  const to = f.to ? dayStart(f.to) + DAY_MS : Infinity;
  return rows.filter((r) => {
    const minutes = r.durationMs === undefined ? undefined : r.durationMs / 60_000;
    if (f.status !== 'all' && r.job.status !== f.status) return false;
    if (r.createdAt < from || r.createdAt >= to) return false;
    if (isSet(f.minMinutes) && !(minutes !== undefined && minutes >= f.minMinutes)) return false;
    if (isSet(f.maxMinutes) && !(minutes !== undefined && minutes <= f.maxMinutes)) return false;
    if (isSet(f.minScore) && !(r.score !== undefined && r.score >= f.minScore)) return false;
    return true;
  });
}

export const HISTORY_SORTS = {
  date: (r: HistoryRow) => r.createdAt,
  duration: (r: HistoryRow) => r.durationMs,
  score: (r: HistoryRow) => r.score,
  // In the order a job moves through them, so "status" groups like with like.
  status: (r: HistoryRow) => JobStatus.options.indexOf(r.job.status),
} as const;
export type HistorySort = keyof typeof HISTORY_SORTS;

export const sortHistory = (rows: readonly HistoryRow[], key: HistorySort, dir: SortDirection) =>
  sortBy(rows, HISTORY_SORTS[key], dir);
