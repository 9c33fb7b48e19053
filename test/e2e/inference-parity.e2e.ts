/**
 * Parity with Ultralytics, in Chromium: tiny real detect models (trained on the synthetic cards,
 * exported to ONNX by Ultralytics; several, see FIXTURE_MODELS) run in the built inference worker
 * (onnxruntime-web, wasm) on the same JPEGs Ultralytics' predict saw, decoded by the browser, in
 * several sizes larger and smaller than the model's input. Same detections (count and classes),
 * corners within 1 px for 95% and 3 px for all, confidences within 0.01, for every model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../web/lib/inference/types';
import {
  expectLoaded,
  expectPredictionCounts,
  expectRanOn,
  fixtureModels,
  openHarness,
  parityCases,
  runInPage,
  type HarnessPage,
} from '../fixtures/inference-harness';
import { WEBGPU_FLAGS } from './browser';

interface Reference {
  confs: number[];
  maxDet: number;
  images: {
    file: string;
    predictions: Record<string, { classIndex: number; confidence: number; xyxy: number[] }[]>;
  }[];
}

const models = fixtureModels('detect').map((m) => ({
  ...m,
  reference: JSON.parse(readFileSync(join(m.dir, 'reference.json'), 'utf8')) as Reference,
}));
const cases = parityCases('detect', models);
let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness(Object.fromEntries(models.map((m) => [m.name, m.dir])), WEBGPU_FLAGS);
});
afterAll(async () => {
  await h?.close();
});

/** Pairs each reference box with the same-class browser box of highest IoU (> 0.5). */
function matchBoxes(
  ours: Detection[],
  theirs: { classIndex: number; confidence: number; xyxy: number[] }[],
) {
  const taken = new Set<number>();
  const pairs: { corner: number; confidence: number }[] = [];
  for (const t of theirs) {
    const [tx1, ty1, tx2, ty2] = t.xyxy as [number, number, number, number];
    let best = -1;
    let bestIou = 0.5;
    ours.forEach((o, i) => {
      if (taken.has(i) || o.classIndex !== t.classIndex) return;
      const w = Math.min(o.x + o.w, tx2) - Math.max(o.x, tx1);
      const hgt = Math.min(o.y + o.h, ty2) - Math.max(o.y, ty1);
      const inter = w > 0 && hgt > 0 ? w * hgt : 0;
      const v = inter / (o.w * o.h + (tx2 - tx1) * (ty2 - ty1) - inter);
      if (v > bestIou) [best, bestIou] = [i, v];
    });
    if (best < 0) continue;
    taken.add(best);
    const o = ours[best]!;
    pairs.push({
      corner: Math.max(
        Math.abs(o.x - tx1),
        Math.abs(o.y - ty1),
        Math.abs(o.x + o.w - tx2),
        Math.abs(o.y + o.h - ty2),
      ),
      confidence: Math.abs(o.confidence - t.confidence),
    });
  }
  return pairs;
}

describe.each(cases)('detect parity with Ultralytics, in Chromium: $name on $backend', (model) => {
  const { name, reference, backend, confs } = model;

  it('loads the export in the built worker, warmed up', async () => {
    const loaded = await expectLoaded(h, name, 'detect', backend);
    if (!loaded.ok) return;
    expect(loaded.value.warmupMs).toBeGreaterThan(0);
    // The harness page is cross-origin isolated, so onnxruntime gets more than one thread
    // wherever the machine has more than one core.
    expect(await h.page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  });

  it.each(confs)('gives the same boxes as Ultralytics at conf %s', async (conf) => {
    const files = reference.images.map((i) => `images/${i.file}`);
    const replies = await runInPage<{ detections: Detection[] }>(h, name, files, {
      conf,
      maxDet: reference.maxDet,
    });
    expectRanOn(replies, backend);
    const corners: number[] = [];
    const confidences: number[] = [];
    let expected = 0;
    const mismatches: string[] = [];
    reference.images.forEach((image, k) => {
      const reply = replies[k]!;
      if (!reply.ok) throw new Error(`${image.file}: ${reply.error.message}`);
      const ours = reply.value.detections;
      const theirs = image.predictions[String(conf)]!;
      expected += theirs.length;
      const classes = (list: number[]) => [...list].sort().join(',');
      if (classes(ours.map((d) => d.classIndex)) !== classes(theirs.map((d) => d.classIndex))) {
        mismatches.push(`${image.file}: ${ours.length} vs ${theirs.length} boxes`);
      }
      for (const pair of matchBoxes(ours, theirs)) {
        corners.push(pair.corner);
        confidences.push(pair.confidence);
      }
    });
    corners.sort((a, b) => a - b);
    const p95 = corners[Math.min(corners.length - 1, Math.floor(0.95 * corners.length))] ?? 0;
    const report =
      `${name} ${backend} conf ${conf}: ${corners.length}/${expected} boxes matched; corner error px ` +
      `median ${(corners[corners.length >> 1] ?? 0).toFixed(4)} p95 ${p95.toFixed(4)} max ` +
      `${(corners.at(-1) ?? 0).toFixed(4)}; confidence diff max ` +
      `${Math.max(0, ...confidences).toFixed(5)}`;
    console.log(report);
    expect(mismatches, report).toEqual([]);
    expect(corners.length, report).toBe(expected);
    if (corners.length === 0) return;
    const within1 = corners.filter((c) => c <= 1).length / corners.length;
    expect(within1, report).toBeGreaterThanOrEqual(0.95);
    expect(corners.at(-1) ?? 0, report).toBeLessThanOrEqual(3);
    expect(Math.max(0, ...confidences), report).toBeLessThanOrEqual(0.01);
  });

  it('has predictions to compare, and reaches max_det where the model is cut there', () => {
    expectPredictionCounts(reference);
  });
});
