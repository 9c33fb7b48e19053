import { EPOCH_TIME_KEY, GPU_MEMORY_KEY, type JobProgress } from '$contract';
import { formatDuration } from '$lib/registry/duration';

/** What an epoch cost, from the runner's extra keys: "12 s, 3.1 GiB GPU"; GPU only when on one. */
export function epochResources(metrics: Record<string, number>): string {
  const parts: string[] = [];
  const seconds = metrics[EPOCH_TIME_KEY];
  if (seconds !== undefined) parts.push(`${formatDuration(seconds * 1000)} per epoch`);
  const gib = metrics[GPU_MEMORY_KEY];
  if (gib !== undefined) parts.push(`${gib.toFixed(gib < 10 ? 2 : 1)} GiB GPU memory`);
  return parts.join(' · ');
}

/** The runner's time left for a progress line, or '' when it sent none. */
export const timeLeft = (progress: JobProgress) =>
  progress.etaSeconds === undefined
    ? ''
    : `about ${formatDuration(progress.etaSeconds * 1000)} left`;
