import { z } from 'zod';
import { ModelArchitecture } from './job';
import { Task } from './common';

/**
 * How long a job will train on this server's runner, told before it is queued. It is read
 * from what the server saw, never guessed: the epochs of jobs that finished here (their
 * `time/epoch`, training and validation), by the runner that ran them, the model and task, the
 * photos and the image size. An epoch's work grows with photos x image side², so the nearest
 * past job (in that work) is scaled to the new one. With no such job the answer says so.
 */
export const TrainingTimeQuery = z.object({
  model: ModelArchitecture,
  task: Task,
  imgsz: z.coerce.number().int().min(32).max(4096),
  /** Photos the job trains and validates on (a test split is not touched per epoch). */
  photos: z.coerce.number().int().min(1).max(10_000_000),
  epochs: z.coerce.number().int().min(1).max(100_000),
});
export type TrainingTimeQuery = z.infer<typeof TrainingTimeQuery>;

/** A finished job's pace: what the estimate is read from. */
export const EpochPace = z.object({
  jobId: z.string(),
  /** The runner that trained it and its device ("cpu", "cuda:0 NVIDIA H100"), as it reported. */
  runnerId: z.string().nullable(),
  device: z.string().nullable(),
  model: z.string(),
  task: Task,
  imgsz: z.number().int(),
  photos: z.number().int(),
  /** The median of its epochs' wall times, seconds. */
  secondsPerEpoch: z.number().positive(),
  finishedAt: z.string(),
});
export type EpochPace = z.infer<typeof EpochPace>;

export const TrainingTimeEstimate = z.discriminatedUnion('known', [
  z.object({
    known: z.literal(true),
    secondsPerEpoch: z.number().positive(),
    /** All the asked epochs; early stopping may end sooner. */
    seconds: z.number().positive(),
    /** The past job it is scaled from. */
    basis: EpochPace,
  }),
  z.object({ known: z.literal(false), reason: z.string() }),
]);
export type TrainingTimeEstimate = z.infer<typeof TrainingTimeEstimate>;

const work = (p: { photos: number; imgsz: number }) => p.photos * p.imgsz * p.imgsz;

/**
 * The estimate for `ask` from `paces` (newest first). Only the runner that finished the newest
 * job counts (the one likely to lease the next; another machine's pace says nothing about it),
 * and only jobs of the same model and task (a segment or larger model is several times slower).
 */
export function estimateTrainingTime(
  paces: readonly EpochPace[],
  ask: TrainingTimeQuery,
): TrainingTimeEstimate {
  if (!paces.length) {
    return {
      known: false,
      reason:
        'No training job has finished on this server yet, so how long this one takes on its runner is not known. The job page shows the time left once the first epochs ran.',
    };
  }
  const runner = paces[0]!.runnerId;
  const alike = paces.filter(
    (p) => p.runnerId === runner && p.model === ask.model && p.task === ask.task,
  );
  if (!alike.length) {
    return {
      known: false,
      reason: `No ${ask.model} ${ask.task} job has finished on this server's runner yet (only other models or tasks), so how long this one takes is not known. The job page shows the time left once the first epochs ran.`,
    };
  }
  const wanted = work(ask);
  const nearest = alike.reduce((best, p) =>
    Math.abs(Math.log(work(p) / wanted)) < Math.abs(Math.log(work(best) / wanted)) ? p : best,
  );
  const secondsPerEpoch = (nearest.secondsPerEpoch * wanted) / work(nearest);
  return { known: true, secondsPerEpoch, seconds: secondsPerEpoch * ask.epochs, basis: nearest };
}

/** "45 s", "12 min", "2 h 5 min": a duration as a person reads an estimate. */
export function roughDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** What the guide says: the estimate, what it is read from, and that it is rough. */
export function describeTrainingTime(e: TrainingTimeEstimate, epochs: number): string {
  if (!e.known) return e.reason;
  const b = e.basis;
  const on = b.device ? ` on this server's runner (${b.device})` : " on this server's runner";
  const per = e.secondsPerEpoch < 10 ? e.secondsPerEpoch.toFixed(1) : Math.round(e.secondsPerEpoch);
  return (
    `Expected time${on}: about ${roughDuration(e.seconds)} for ${epochs} epochs (${per} s each), ` +
    `scaled from a finished job of ${b.photos} photos at ${b.imgsz} px (${b.secondsPerEpoch.toFixed(1)} s per epoch). ` +
    'Early stopping may end it sooner; other work on that machine makes it slower.'
  );
}
