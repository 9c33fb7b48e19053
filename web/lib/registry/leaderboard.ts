import type { Task } from '$contract';
import { primaryMetric, type MetricName } from './metric-names';
import type { RegistryRow } from './registry-rows';
import { compareOptional } from './sort-values';

export type LeaderboardEntry = { rank: number; row: RegistryRow };
export type Leaderboard = { task: Task; metric: MetricName; entries: LeaderboardEntry[] };

const TASK_ORDER: Task[] = ['detect', 'segment', 'classify'];

/**
 * Models ranked per task by the task's headline metric; a tie goes to the faster model, then the
 * newer. Models that report no headline metric cannot be ranked and are left out.
 */
export function leaderboards(rows: readonly RegistryRow[]): Leaderboard[] {
  return TASK_ORDER.map((task) => {
    const ranked = rows
      .filter((r) => r.task === task && r.score !== undefined)
      .sort(
        (a, b) =>
          compareOptional(a.score, b.score, 'desc') ||
          compareOptional(a.inferenceMs, b.inferenceMs, 'asc') ||
          b.createdAt - a.createdAt,
      );
    return {
      task,
      metric: primaryMetric(task),
      entries: ranked.map((row, i) => ({ rank: i + 1, row })),
    };
  }).filter((board) => board.entries.length > 0);
}
