/**
 * In-browser evaluation of segment and classify models agrees with Ultralytics' `model.val` of
 * the same ONNX (batch 1), on every fixture model of each task: the built worker, in Chromium on
 * wasm, runs each validation picture with the validator's settings and scores it against its
 * labels there (`evaluate`: box and mask true positives, or the top-5 ranking); the records are
 * added up by the product's own fold (web/lib/evaluation/evaluation-fold.ts).
 *
 * Segment: box and mask precision, recall, mAP50 and mAP50-95, each within 0.005. The validator
 * scores masks at a quarter of the input (ops.process_mask, no upsampling, every NMS box kept,
 * even with an empty mask) against labels rasterised with cv2.fillPoly after resampling each
 * outline to 1000 points, then shrunk with INTER_LINEAR (see target-masks.ts).
 * Classify: top-1 and top-5 accuracy, each within 0.005.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VAL_OPTIONS } from '../../web/lib/evaluation/detection-evaluator';
import { createFold } from '../../web/lib/evaluation/evaluation-fold';
import type { EvalLabels, ImageStats } from '../../web/lib/evaluation/image-stats';
import {
  fixtureModels,
  FIXTURE_PREFIX,
  loadInPage,
  openHarness,
  valReference,
  type HarnessPage,
} from '../fixtures/inference-harness';

interface Labels {
  classes: string[];
  images: {
    file: string;
    boxes: { classIndex: number }[];
    polygons: { classIndex: number; points: [number, number][] }[];
  }[];
}
interface Metrics {
  precision: number;
  recall: number;
  map50: number;
  map: number;
}
interface SegmentReference {
  box: Metrics;
  mask: Metrics;
  maxDet: number;
}
interface ClassifyReference {
  top1: number;
  top5: number;
}

const read = <T>(dir: string, file: string) =>
  JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
const withData = <R>(task: 'segment' | 'classify') =>
  fixtureModels(task).map((m) => ({
    ...m,
    labels: read<Labels>(m.dir, 'val-labels.json'),
    classNames: read<{ classNames: string[] }>(m.dir, 'metadata.json').classNames,
    reference: valReference<R>(m.dir),
  }));
const segmentModels = withData<SegmentReference>('segment');
const classifyModels = withData<ClassifyReference>('classify');
let h: HarnessPage;

beforeAll(async () => {
  const all = [...segmentModels, ...classifyModels];
  h = await openHarness(Object.fromEntries(all.map((m) => [m.name, m.dir])));
});
afterAll(async () => {
  await h?.close();
});

/** Each picture through the worker's `evaluate`; answers its stats. */
async function evaluateInPage(
  fixture: string,
  pictures: { file: string; labels: EvalLabels }[],
  options: Record<string, unknown>,
): Promise<ImageStats[]> {
  const loaded = await loadInPage(h, fixture);
  expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
  return h.page.evaluate(
    async ({ base, pictures, options }) => {
      const w = window as unknown as {
        inference: { evaluate(image: Blob, labels: unknown, options: unknown): Promise<unknown> };
      };
      const out: unknown[] = [];
      for (const { file, labels } of pictures) {
        const blob = await (await fetch(`${base}/val-images/${file}`)).blob();
        const reply = (await w.inference.evaluate(blob, labels, options)) as {
          ok: boolean;
          value?: unknown;
          error?: { message: string };
        };
        if (!reply.ok) throw new Error(`${file}: ${reply.error?.message}`);
        out.push(reply.value);
      }
      return out;
    },
    { base: `${FIXTURE_PREFIX}${fixture}`, pictures, options },
  ) as Promise<ImageStats[]>;
}

/** Compares and reports; every metric within 0.005 of model.val's. */
function expectClose(name: string, ours: Record<string, number>, theirs: Record<string, number>) {
  const keys = Object.keys(theirs);
  const report = keys
    .map((k) => `${k} ${ours[k]!.toFixed(4)} vs ${theirs[k]!.toFixed(4)}`)
    .join('; ');
  const worst = Math.max(...keys.map((k) => Math.abs(ours[k]! - theirs[k]!)));
  console.log(`${name}: ${report}; max |difference| ${worst.toExponential(2)}`);
  for (const k of keys)
    expect(Math.abs(ours[k]! - theirs[k]!), `${k}: ${report}`).toBeLessThanOrEqual(0.005);
}

describe('in-browser evaluation of segment and classify models, in Chromium', () => {
  it.each(segmentModels)('segment equals model.val on boxes and masks: $name', async (model) => {
    const { name, labels, reference } = model;
    // model.val read the outlines only (the YOLO segment label files), so only they are sent.
    const pictures = labels.images.map((i) => ({
      file: i.file,
      labels: { boxes: [], polygons: i.polygons },
    }));
    const stats = await evaluateInPage(name, pictures, {
      ...VAL_OPTIONS,
      maxDet: reference.maxDet,
    });
    const fold = createFold();
    for (const s of stats) fold.add(s);
    const ours = fold.result();
    if (ours.task !== 'segment') throw new Error(`expected segment stats, got ${ours.task}`);
    expect(ours.images).toBe(labels.images.length);
    const pick = (m: Metrics) => ({
      precision: m.precision,
      recall: m.recall,
      map50: m.map50,
      map: m.map,
    });
    expectClose(`${name} boxes`, pick(ours.metrics), pick(reference.box));
    expectClose(`${name} masks`, pick(ours.masks), pick(reference.mask));
  });

  it.each(classifyModels)('classify equals model.val on top-1 and top-5: $name', async (model) => {
    const { name, labels, classNames, reference } = model;
    // The picture's folder is its one card's class; the model's index is found by name.
    const pictures = labels.images.map((i) => ({
      file: i.file,
      labels: {
        boxes: [],
        polygons: [],
        imageClass: classNames.indexOf(labels.classes[i.boxes[0]!.classIndex]!),
      },
    }));
    const stats = await evaluateInPage(name, pictures, VAL_OPTIONS);
    const fold = createFold();
    for (const s of stats) fold.add(s);
    const ours = fold.result();
    if (ours.task !== 'classify') throw new Error(`expected classify stats, got ${ours.task}`);
    expect(ours.images).toBe(labels.images.length);
    expectClose(
      name,
      { top1: ours.top1, top5: ours.top5 },
      { top1: reference.top1, top5: reference.top5 },
    );
  });
});
