/**
 * Runs a real Ultralytics ONNX export through the browser pipeline (letterbox, ort.ts on the
 * wasm build, postprocess) in Node and compares with Ultralytics' own predictions on the same
 * pixels. Skipped unless LOUPE_PARITY_DIR points at a folder written by make_reference.py, since
 * a real model is too large to keep in the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelMetadata } from '$contract';
import { iou, type Candidate } from '../nms';
import type { Detection } from '../types';
import { detectPixels } from '../pixel-pipeline';
import { createSession, type OrtSession } from '../worker/ort';

// In Node the runtime files are read from node_modules by file URL instead of Vite's asset URL.
// vi.hoisted: the vi.mock calls below are moved above every other statement of the file.
const { runtimeFile } = vi.hoisted(() => ({
  runtimeFile: async (name: string) => {
    const { pathToFileURL } = await import('node:url');
    const path = `${process.cwd()}/node_modules/onnxruntime-web/dist/${name}`;
    return { default: pathToFileURL(path).href };
  },
}));
vi.mock('onnxruntime-web/ort-wasm-simd-threaded.mjs?url', () =>
  runtimeFile('ort-wasm-simd-threaded.mjs'),
);
vi.mock('onnxruntime-web/ort-wasm-simd-threaded.wasm?url', () =>
  runtimeFile('ort-wasm-simd-threaded.wasm'),
);
vi.mock('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url', () =>
  runtimeFile('ort-wasm-simd-threaded.asyncify.mjs'),
);
vi.mock('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url', () =>
  runtimeFile('ort-wasm-simd-threaded.asyncify.wasm'),
);

interface Reference {
  confs: number[];
  images: {
    name: string;
    width: number;
    height: number;
    predictions: Record<string, { classIndex: number; confidence: number; xyxy: number[] }[]>;
  }[];
}

const dir = process.env.LOUPE_PARITY_DIR ?? '';
const enabled = dir !== '' && existsSync(join(dir, 'reference.json'));
// Read at collection time (it.each needs the confs), so only when the suite will run.
const reference: Reference = enabled
  ? (JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference)
  : { confs: [0.25], images: [] };

describe.skipIf(!enabled)('Ultralytics parity', () => {
  let session: OrtSession;

  let metadata: ModelMetadata;

  beforeAll(async () => {
    metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as ModelMetadata;
    vi.stubGlobal('self', { crossOriginIsolated: false }); // ort.ts reads the worker's isolation
    const bytes = readFileSync(join(dir, 'model.onnx'));
    session = await createSession(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      'wasm',
    );
  });

  it.each(reference.confs)('matches Ultralytics predict at conf %s', async (conf) => {
    const corner: number[] = [];
    const confidence: number[] = [];
    let expected = 0;
    let matched = 0;
    const mismatches: string[] = [];
    for (const image of reference.images) {
      const rgb = readFileSync(join(dir, `${image.name}.rgb`));
      const data = new Uint8ClampedArray(image.width * image.height * 4);
      for (let p = 0, o = 0; p < rgb.length; p += 3, o += 4)
        data.set([rgb[p]!, rgb[p + 1]!, rgb[p + 2]!, 255], o);
      const result = await detectPixels(
        session,
        metadata,
        { data, width: image.width, height: image.height },
        { conf },
      );
      const ours = result.detections.map(toCandidate);
      const theirs = image.predictions[String(conf)]!.map((p) => ({
        x1: p.xyxy[0]!,
        y1: p.xyxy[1]!,
        x2: p.xyxy[2]!,
        y2: p.xyxy[3]!,
        score: p.confidence,
        classIndex: p.classIndex,
      }));
      expected += theirs.length;
      if (ours.length !== theirs.length)
        mismatches.push(`${image.name}: ${ours.length} vs ${theirs.length}`);
      const taken = new Set<number>();
      for (const t of theirs) {
        let best = -1;
        let bestIou = 0.5;
        ours.forEach((o, i) => {
          const v = o.classIndex === t.classIndex && !taken.has(i) ? iou(o, t) : 0;
          if (v > bestIou) {
            best = i;
            bestIou = v;
          }
        });
        if (best < 0) continue;
        taken.add(best);
        matched++;
        const o = ours[best]!;
        corner.push(
          Math.max(...(['x1', 'y1', 'x2', 'y2'] as const).map((k) => Math.abs(o[k] - t[k]))),
        );
        confidence.push(Math.abs(o.score - t.score));
      }
    }
    const stats = summarise(corner);
    console.log(
      `conf ${conf}: ${matched}/${expected} boxes matched; corner error px median ` +
        `${stats.median.toFixed(4)} p95 ${stats.p95.toFixed(4)} max ${stats.max.toFixed(4)}; ` +
        `confidence diff max ${summarise(confidence).max.toFixed(5)}` +
        (mismatches.length ? `; count differs on ${mismatches.join(', ')}` : ''),
    );
    expect(mismatches).toEqual([]);
    expect(matched).toBe(expected);
    // Same pixels in, so only float differences between onnxruntime builds remain (measured on a
    // yolo11n export: corner error max 0.0002 px, confidence diff under 1e-5).
    expect(stats.median).toBeLessThan(0.01);
    expect(stats.max).toBeLessThan(0.5);
    expect(summarise(confidence).max).toBeLessThan(0.001);
  });
});

function toCandidate(d: Detection): Candidate {
  return {
    x1: d.x,
    y1: d.y,
    x2: d.x + d.w,
    y2: d.y + d.h,
    score: d.confidence,
    classIndex: d.classIndex,
  };
}

function summarise(values: number[]): { median: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}
