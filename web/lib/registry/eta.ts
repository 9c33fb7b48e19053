import type { JobProgress, JobStatus } from '$contract';

/** How far along a job is, 0..1, counting batches across epochs. */
export function progressFraction(status: JobStatus, progress: JobProgress | null): number {
  if (status === 'exporting' || status === 'completed') return 1;
  if (!progress) return 0;
  const batches = Math.max(progress.batches, 1);
  const done = (progress.epoch - 1) * batches + Math.min(progress.batch, batches);
  return Math.min(1, Math.max(0, done / (progress.epochs * batches)));
}

/** When (client clock, ms) a job was seen how far along. */
export type ProgressSample = { at: number; fraction: number };

/** Events closer together than this are one observation: a stream's replay arrives in a burst. */
const BURST_MS = 250;
/** The rate is taken over about this much recent time, so it follows a job that speeds up. */
const WINDOW_MS = 120_000;
/** Less than this much watched progress says too little about the rate. */
const MIN_SPAN_MS = 3_000;

/**
 * Adds an observation. Events that arrive together (the history replayed when a stream opens)
 * collapse into one, or the replay would look like training running at thousands of batches a
 * second; a job that went backwards (resumed from a checkpoint) starts a new series.
 */
export function addSample(samples: ProgressSample[], at: number, fraction: number) {
  const last = samples.at(-1);
  if (last && fraction < last.fraction) return [{ at, fraction }];
  const kept = last && at - last.at < BURST_MS ? samples.slice(0, -1) : samples;
  const next = [...kept, { at, fraction }];
  while (next.length > 2 && at - next[0]!.at > WINDOW_MS) next.shift();
  return next;
}

export type Eta = { remainingMs: number; msPerEpoch: number };

/** Time left at the rate watched so far; null ("estimating…") until there is enough to go on. */
export function estimateEta(samples: ProgressSample[], epochs: number, now: number): Eta | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < MIN_SPAN_MS) return null;
  const perMs = (last.fraction - first.fraction) / (last.at - first.at);
  if (!(perMs > 0)) return null;
  const remaining = (1 - last.fraction) / perMs - (now - last.at);
  return { remainingMs: Math.max(0, remaining), msPerEpoch: 1 / perMs / Math.max(epochs, 1) };
}

/**
 * The time left as the job page and dashboard show it: the runner's own estimate when it sent
 * one (from the trainer's clock, so it counts validation and needs no watching), counted down
 * since the last progress arrived here; else the rate watched in this browser.
 */
export function jobEta(
  progress: JobProgress | null,
  samples: ProgressSample[],
  epochs: number,
  now: number,
): Eta | null {
  const watched = estimateEta(samples, epochs, now);
  const last = samples.at(-1);
  const runnerSeconds = progress?.etaSeconds;
  if (runnerSeconds === undefined || !last) return watched;
  const remainingMs = Math.max(0, runnerSeconds * 1000 - (now - last.at));
  const epochsLeft = (1 - last.fraction) * Math.max(epochs, 1);
  const msPerEpoch =
    watched?.msPerEpoch ?? (epochsLeft > 0 ? (runnerSeconds * 1000) / epochsLeft : 0);
  return { remainingMs, msPerEpoch };
}
