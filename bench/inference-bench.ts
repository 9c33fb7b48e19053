/**
 * Inference benchmark: median ms per image for pre, inference and post, for yolo11n/yolov8n
 * detect at 320 and 640 and yolo11n-seg at 640, in three setups measured in the same run:
 * - Chromium, the built inference worker on WASM, page NOT cross-origin isolated (1 thread);
 * - Chromium, same worker, cross-origin isolated page (all threads, up to 4);
 * - onnxruntime-node on the same machine, default threads: the reference.
 * The browser's pre includes decoding the JPEG frame; Node has no decoder and starts from the
 * decoded RGBA (same JS letterbox and post-processing as the worker). Writes docs/benchmarks.md.
 *
 *     npx vite build && npx tsx bench/inference-bench.ts [--runs 15]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelMetadata } from '../server/contract/model';
import { postprocessDetect } from '../web/lib/inference/postprocess';
import { letterbox } from '../web/lib/inference/preprocess';
import { postprocessSegment } from '../web/lib/inference/segment-postprocess';
import type { Float32Tensor, Timings } from '../web/lib/inference/types';
import { loadInPage, openHarness, runInPage } from '../test/fixtures/inference-harness';

const MODELS = ['yolo11n-320', 'yolov8n-320', 'yolo11n-640', 'yolov8n-640', 'yolo11n-seg-640'];
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const WARMUP = 3;

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
type Row = { pre: number; inference: number; post: number; total: number };
const summarise = (timings: Timings[]): Row => {
  const pre = median(timings.map((t) => t.preMs));
  const inference = median(timings.map((t) => t.inferenceMs));
  const post = median(timings.map((t) => t.postMs));
  return {
    pre,
    inference,
    post,
    total: median(timings.map((t) => t.preMs + t.inferenceMs + t.postMs)),
  };
};

async function browser(
  dir: string,
  isolated: boolean,
): Promise<Map<string, Row & { threads: number }>> {
  const out = new Map<string, Row & { threads: number }>();
  const h = await openHarness({ bench: dir }, [], { isolated });
  try {
    for (const name of MODELS) {
      const loaded = await loadInPage(h, 'bench', {
        model: `${name}/model.onnx`,
        metadata: `${name}/metadata.json`,
      });
      if (!loaded.ok) throw new Error(`${name}: ${loaded.error.message}`);
      const files = Array<string>(WARMUP + RUNS).fill('frame.jpg');
      const replies = await runInPage<{ timings: Timings }>(h, 'bench', files);
      const timings = replies.slice(WARMUP).map((r) => {
        if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
        return r.value.timings;
      });
      out.set(name, { ...summarise(timings), threads: loaded.value.threads });
      console.log(
        `chromium ${isolated ? 'isolated' : '1 thread'} ${name}: ${JSON.stringify(out.get(name))}`,
      );
    }
  } finally {
    await h.close();
  }
  return out;
}

async function node(dir: string): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const rgba = new Uint8Array(readFileSync(join(dir, 'frame.rgba')));
  const image = { data: rgba, width: 1280, height: 720 };
  for (const name of MODELS) {
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
    out.set(name, summarise(timings));
    console.log(`onnxruntime-node ${name}: ${JSON.stringify(out.get(name))}`);
  }
  return out;
}

const ms = (v: number) => v.toFixed(1);

async function main() {
  const dir = models();
  const reference = await node(dir);
  const single = await browser(dir, false);
  const multi = await browser(dir, true);
  const threads = multi.get(MODELS[0]!)?.threads ?? 1;
  const lines = [
    '# Inference benchmarks',
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
    '- **node**: onnxruntime-node, default threads: the reference, measured in the same run.',
    '- **wasm 1t**: the built inference worker in Chromium, page not cross-origin isolated (1 thread).',
    `- **wasm ${threads}t**: same, cross-origin isolated page (${threads} threads).`,
    '- pre = decode (browser only) + letterbox to a tensor; post = decode the output, NMS, masks.',
    '- ratios: browser total / node total (lower is better); speed-up: 1 thread / all threads.',
    '',
    '| model | setup | pre | inference | post | total | vs node | pre+post share |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of MODELS) {
    const ref = reference.get(name)!;
    for (const [label, row] of [
      ['node', ref],
      ['wasm 1t', single.get(name)!],
      [`wasm ${threads}t`, multi.get(name)!],
    ] as const) {
      lines.push(
        `| ${name} | ${label} | ${ms(row.pre)} | ${ms(row.inference)} | ${ms(row.post)} | ` +
          `${ms(row.total)} | ${(row.total / ref.total).toFixed(2)}x | ` +
          `${(((row.pre + row.post) / row.total) * 100).toFixed(0)}% |`,
      );
    }
  }
  lines.push('', '| model | all threads vs 1 thread (speed-up) |', '| --- | ---: |');
  for (const name of MODELS) {
    lines.push(`| ${name} | ${(single.get(name)!.total / multi.get(name)!.total).toFixed(2)}x |`);
  }
  lines.push('');
  writeFileSync(resolve('docs/benchmarks.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

await main();
