/**
 * Inference benchmark: median ms per image for decode, pre (read + letterbox), inference and post,
 * for yolo11n/yolov8n detect at 320 and 640 and yolo11n-seg at 640, in three setups measured in
 * the same run:
 * - Chromium, the built inference worker on WASM, page NOT cross-origin isolated (1 thread);
 * - Chromium, same worker, cross-origin isolated page (all threads, up to 4);
 * - onnxruntime-node on the same machine, default threads: the reference.
 * The browser decodes the JPEG frame (reported apart: a live-scan frame arrives decoded) and
 * reads the bitmap's pixels; Node starts from the decoded RGBA (same JS letterbox and
 * post-processing as the worker). Rewrites its part of docs/benchmarks.md (between markers).
 *
 *     npx vite build && npx tsx bench/inference-bench.ts [--runs 15] [--models a,b]
 *     npx tsx bench/inference-bench.ts --tune [--models a,b]   # session options, printed only
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeDocSection } from './doc-section';
import type { ModelMetadata } from '../server/contract/model';
import { postprocessDetect } from '../web/lib/inference/postprocess';
import { letterbox } from '../web/lib/inference/preprocess';
import { postprocessSegment } from '../web/lib/inference/segment-postprocess';
import type { Float32Tensor, Timings } from '../web/lib/inference/types';
import type { SessionTuning } from '../web/lib/inference/worker/ort';
import { openHarness, runInPage, type HarnessPage } from '../test/fixtures/inference-harness';

const ALL_MODELS = ['yolo11n-320', 'yolov8n-320', 'yolo11n-640', 'yolov8n-640', 'yolo11n-seg-640'];
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 15);
const MODELS = arg('--models')?.split(',') ?? ALL_MODELS;
const TUNE = process.argv.includes('--tune');
const WARMUP = 3;
const DOC = resolve('docs/benchmarks.md');
const START = '<!-- inference-bench:start -->';
const END = '<!-- inference-bench:end -->';

/** Session options compared by --tune, each against the worker's defaults in the same page. */
const TUNINGS: Record<string, SessionTuning> = {
  default: {},
  'no spinning': { allowSpinning: false },
  'no mem pattern': { enableMemPattern: false },
  'no cpu arena': { enableCpuMemArena: false },
  'parallel executor': { executionMode: 'parallel' },
  'optimization extended': { graphOptimizationLevel: 'extended' },
  'optimization basic': { graphOptimizationLevel: 'basic' },
};

function models(): string {
  const script = resolve('bench/make_bench_models.py');
  const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `loupe-bench-models-${hash}`);
  if (existsSync(join(dir, 'frame.rgba'))) return dir;
  const building = `${dir}.building-${process.pid}`;
  execFileSync(resolve('gpu-runner/.venv/bin/python'), [script, building], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return dir;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
type Row = {
  decode?: number;
  read?: number;
  pre: number;
  inference: number;
  post: number;
  /** pre + inference + post: what a frame costs once decoded. */
  total: number;
};
const summarise = (timings: Timings[]): Row => {
  const med = (pick: (t: Timings) => number | undefined) => {
    const values = timings.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  const decode = med((t) => t.decodeMs);
  const read = med((t) => t.readMs);
  return {
    ...(decode === undefined ? {} : { decode }),
    ...(read === undefined ? {} : { read }),
    pre: med((t) => t.preMs)!,
    inference: med((t) => t.inferenceMs)!,
    post: med((t) => t.postMs)!,
    total: med((t) => t.preMs + t.inferenceMs + t.postMs)!,
  };
};

/** Loads a bench model into the page's worker on WASM with `tuning`; answers its thread count. */
async function load(h: HarnessPage, name: string, tuning: SessionTuning = {}): Promise<number> {
  const reply = await h.page.evaluate(
    async ({ workerPath, base, tuning }) => {
      type Remote = { load(b: ArrayBuffer, m: unknown, o: unknown): Promise<unknown> };
      const w = window as unknown as {
        Comlink: { wrap(w: Worker): Remote; transfer<T>(v: T, t: Transferable[]): T };
        inference?: Remote;
      };
      w.inference ??= w.Comlink.wrap(new Worker(workerPath, { type: 'module' }));
      const bytes = await (await fetch(`${base}/model.onnx`)).arrayBuffer();
      const meta: unknown = await (await fetch(`${base}/metadata.json`)).json();
      const options = { backend: 'wasm', tuning };
      return w.inference.load(w.Comlink.transfer(bytes, [bytes]), meta, options);
    },
    { workerPath: h.workerPath, base: `/__fixtures__/bench/${name}`, tuning },
  );
  const loaded = reply as { ok: boolean; value?: { threads: number }; error?: unknown };
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.error)}`);
  return loaded.value!.threads;
}

/** Warm-up runs, then RUNS timed runs of the loaded model on the frame. */
async function timeRuns(h: HarnessPage, name: string): Promise<Row> {
  const files = Array<string>(WARMUP + RUNS).fill('frame.jpg');
  const replies = await runInPage<{ timings: Timings }>(h, 'bench', files);
  return summarise(
    replies.slice(WARMUP).map((r) => {
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      return r.value.timings;
    }),
  );
}

/** One model in one page: load, warm up, time. */
async function browser(h: HarnessPage, name: string, label: string) {
  const threads = await load(h, name);
  const row = { ...(await timeRuns(h, name)), threads };
  console.log(`chromium ${label} ${name}: ${JSON.stringify(row)}`);
  return row;
}

/** --tune: each session option against the defaults, isolated page, interleaved twice. */
async function tune(dir: string): Promise<void> {
  const h = await openHarness({ bench: dir }, [], { isolated: true });
  try {
    for (const name of MODELS) {
      const results = new Map<string, number[]>();
      for (let round = 0; round < 2; round++) {
        for (const [label, tuning] of Object.entries(TUNINGS)) {
          await load(h, name, tuning);
          const row = await timeRuns(h, name);
          results.set(label, [...(results.get(label) ?? []), row.inference]);
        }
      }
      const base = median(results.get('default')!);
      for (const [label, values] of results) {
        const m = median(values);
        console.log(
          `tune ${name} ${label}: inference ${values.map(ms).join(' / ')} ms ` +
            `(${((m / base) * 100).toFixed(0)}% of default)`,
        );
      }
    }
  } finally {
    await h.close();
  }
}

/** One model on onnxruntime-node from the decoded frame: the reference. */
async function node(dir: string, name: string): Promise<Row> {
  const rgba = new Uint8Array(readFileSync(join(dir, 'frame.rgba')));
  const image = { data: rgba, width: 1280, height: 720 };
  const metadata = JSON.parse(
    readFileSync(join(dir, name, 'metadata.json'), 'utf8'),
  ) as ModelMetadata;
  const session = await ort.InferenceSession.create(join(dir, name, 'model.onnx'), {
    graphOptimizationLevel: 'all',
  });
  const timings: Timings[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    const { tensor, transform } = letterbox(image, metadata.imgsz);
    const t1 = performance.now();
    const feed = new ort.Tensor('float32', tensor, [1, 3, metadata.imgsz, metadata.imgsz]);
    const results = await session.run({ [metadata.inputName]: feed });
    const t2 = performance.now();
    const read = (k: number): Float32Tensor => {
      const t = results[metadata.outputNames[k]!]!;
      return { data: t.data as Float32Array, dims: t.dims };
    };
    if (metadata.task === 'segment')
      postprocessSegment(read(0), read(1), metadata.classNames, transform);
    else postprocessDetect(read(0), metadata.classNames, transform);
    const t3 = performance.now();
    if (i >= WARMUP) timings.push({ preMs: t1 - t0, inferenceMs: t2 - t1, postMs: t3 - t2 });
  }
  await session.release();
  const row = summarise(timings);
  console.log(`onnxruntime-node ${name}: ${JSON.stringify(row)}`);
  return row;
}

const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));

async function main() {
  const dir = models();
  if (TUNE) return tune(dir);
  // The three setups take turns model by model, so a change in the machine's load between
  // minutes does not land on one setup only (every ratio compares runs seconds apart).
  const reference = new Map<string, Row>();
  const single = new Map<string, Row>();
  const multi = new Map<string, Row & { threads: number }>();
  const onePage = await openHarness({ bench: dir }, [], { isolated: false });
  const threadedPage = await openHarness({ bench: dir }, [], { isolated: true });
  try {
    for (const name of MODELS) {
      reference.set(name, await node(dir, name));
      single.set(name, await browser(onePage, name, '1 thread'));
      multi.set(name, await browser(threadedPage, name, 'isolated'));
    }
  } finally {
    await onePage.close();
    await threadedPage.close();
  }
  const threads = multi.get(MODELS[0]!)?.threads ?? 1;
  const lines = [
    START,
    '## Speed: onnxruntime-web in Chromium against onnxruntime-node',
    '',
    `Generated by \`npx tsx bench/inference-bench.ts\` on ${new Date().toISOString().slice(0, 10)}: ` +
      `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ` +
      `onnxruntime-node and onnxruntime-web ${ort.env.versions.common}, Debian Chromium headless. ` +
      `Median of ${RUNS} runs after ${WARMUP} warm-up runs, one 1280x720 JPEG frame, untrained ` +
      'weights (speed does not depend on them). Times in ms. Load average when written: ' +
      `${loadavg()
        .map((v) => v.toFixed(1))
        .join(' / ')} (other work on the machine skews every column, threads most).`,
    '',
    '- **node**: onnxruntime-node, default threads: the reference, measured in the same run (the three setups take turns model by model).',
    '- **wasm 1t**: the built inference worker in Chromium, page not cross-origin isolated (1 thread).',
    `- **wasm ${threads}t**: same, cross-origin isolated page (${threads} threads).`,
    '- decode = JPEG to bitmap in the worker (browser only, not in total: a live-scan frame ' +
      "arrives decoded); pre = read the bitmap's pixels (browser only, its own column too) + " +
      'letterbox to a tensor; post = decode the output, NMS, masks; total = pre + inference + post.',
    '- ratios: browser total / node total (lower is better); speed-up: 1 thread / all threads.',
    '',
    '| model | setup | decode | pre | of it read | inference | post | total | vs node | pre+post share |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of MODELS) {
    const ref = reference.get(name)!;
    for (const [label, row] of [
      ['node', ref],
      ['wasm 1t', single.get(name)!],
      [`wasm ${threads}t`, multi.get(name)!],
    ] as const) {
      lines.push(
        `| ${name} | ${label} | ${ms(row.decode)} | ${ms(row.pre)} | ${ms(row.read)} | ` +
          `${ms(row.inference)} | ${ms(row.post)} | ${ms(row.total)} | ` +
          `${(row.total / ref.total).toFixed(2)}x | ` +
          `${(((row.pre + row.post) / row.total) * 100).toFixed(0)}% |`,
      );
    }
  }
  lines.push('', '| model | all threads vs 1 thread (speed-up) |', '| --- | ---: |');
  for (const name of MODELS) {
    lines.push(`| ${name} | ${(single.get(name)!.total / multi.get(name)!.total).toFixed(2)}x |`);
  }
  lines.push(END);
  const mine = lines.join('\n');
  console.log(mine);
  if (MODELS !== ALL_MODELS) return; // a partial run informs; it does not replace the table
  // Only the part between the markers is ours: the notes and scan-longtasks.ts's part stay.
  writeDocSection(DOC, START, END, mine);
}

await main();
