/**
 * Overhead of the job service over plain Ultralytics: the same fixture photos, split, seed and
 * settings, trained once by `plain_train.py` and once as a job through the real server and its
 * local gpu-runner, in the same run. Prints the ratio and the metric difference; the numbers go
 * into docs/benchmarks.md by hand.
 *
 *   npx tsx bench/training-overhead.ts [epochs] [imgsz] [images]
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { EpochMetrics, Job } from '../server/contract';
import { generateCards, startLoupe } from '../test/e2e/loupe-server';

const [epochs = 10, imgsz = 128, count = 32] = process.argv.slice(2).map(Number);
const settings = { epochs, imgsz, batch: 8, seed: 0, valFraction: 0.2, model: 'yolo11n' } as const;
const KEYS = ['metrics/mAP50(B)', 'metrics/mAP50-95(B)', 'train/box_loss'];

const cards = generateCards(count, 5);

function plainRun() {
  const started = performance.now();
  const out = execFileSync(
    resolve('gpu-runner/.venv/bin/python'),
    [
      resolve('bench/plain_train.py'),
      ...['--cards', cards.dir, '--model', settings.model, '--epochs', String(epochs)],
      ...['--imgsz', String(imgsz), '--batch', '8', '--seed', '0', '--val-fraction', '0.2'],
    ],
    { encoding: 'utf8' },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    metrics: Record<string, number>;
  };
  return { seconds: (performance.now() - started) / 1000, metrics: result.metrics };
}

type Loupe = Awaited<ReturnType<typeof startLoupe>>;

/** Runs one job to its end, noting when each status was first seen (polled every 100 ms). */
async function timeJob(loupe: Loupe, datasetVersionId: string, config: object) {
  const started = performance.now();
  const job = await loupe.post<Job>('/api/jobs', { datasetVersionId, task: 'detect', ...config });
  const phases: Record<string, number> = {};
  for (;;) {
    const { status } = await loupe.api<Job>(`/api/jobs/${job.id}`);
    phases[status] ??= (performance.now() - started) / 1000;
    if (status === 'completed' || status === 'failed' || status === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!phases.completed) throw new Error(`the job did not complete: ${JSON.stringify(phases)}`);
  const epochsRun = await loupe.api<EpochMetrics[]>(`/api/jobs/${job.id}/epochs`);
  return { seconds: phases.completed, phases, metrics: epochsRun.at(-1)?.metrics ?? {} };
}

async function jobRun() {
  const loupe = await startLoupe();
  try {
    const version = await loupe.seed(cards);
    // A one-epoch job first: the runner is a long-lived service, so its start-up (importing
    // torch and Ultralytics) is not part of a job's cost.
    await timeJob(loupe, version.id, { ...settings, epochs: 1 });
    return await timeJob(loupe, version.id, settings);
  } finally {
    await loupe.close();
  }
}

const plain = plainRun();
const job = await jobRun();
const training = (job.phases.exporting ?? job.seconds) - (job.phases.training ?? 0);
console.log(
  JSON.stringify(
    {
      settings: { ...settings, images: count },
      plainSeconds: +plain.seconds.toFixed(2),
      jobSeconds: +job.seconds.toFixed(2),
      jobPhases: Object.fromEntries(Object.entries(job.phases).map(([k, v]) => [k, +v.toFixed(2)])),
      ratioWholeJob: +(job.seconds / plain.seconds).toFixed(3),
      ratioTrainingPhase: +(training / plain.seconds).toFixed(3),
      metricDifference: Object.fromEntries(
        KEYS.map((k) => [
          k,
          +Math.abs((job.metrics[k] ?? NaN) - (plain.metrics[k] ?? NaN)).toFixed(4),
        ]),
      ),
    },
    null,
    2,
  ),
);
