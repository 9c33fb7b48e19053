/**
 * In-browser evaluation agrees with Ultralytics' `model.val`: the built worker predicts in
 * Chromium with the validator's settings (conf 0.001, iou 0.7, multi-label, mode 'val'), and
 * web/lib/evaluation turns those detections and the labels into precision, recall, mAP50 and
 * mAP50-95. Within 0.005 of what model.val printed for the same ONNX model on the same images.
 *
 * The validation pictures come in several sizes, larger and smaller than the model's input and
 * of several aspect ratios, so both sides really resize them. model.val's dataloader does not
 * prepare a picture as predict does: load_image resizes the long side to imgsz with each side
 * rounded up (INTER_LINEAR both ways in 8.4.190; there is no INTER_AREA), LetterBox then pads
 * without enlarging, and the validator matches the boxes NMS gave in tensor pixels, unclipped.
 * Mode 'val' does the same; predict's way (rounded sizes, boxes clipped to the picture) moved
 * mAP50-95 by 0.006 on a model whose boxes reach past the picture's edge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDetectionEvaluator,
  VAL_OPTIONS,
} from '../../web/lib/evaluation/detection-evaluator';
import type { Detection } from '../../web/lib/inference/types';
import {
  fixtureModels,
  loadInPage,
  openHarness,
  runInPage,
  type HarnessPage,
} from '../fixtures/inference-harness';

interface Labels {
  images: {
    file: string;
    width: number;
    height: number;
    boxes: { classIndex: number; x: number; y: number; w: number; h: number }[];
  }[];
}
interface Reference {
  val: { precision: number; recall: number; map50: number; map: number; maxDet: number };
}

const models = fixtureModels('detect').map((m) => ({
  ...m,
  reference: JSON.parse(readFileSync(join(m.dir, 'reference.json'), 'utf8')) as Reference,
  labels: JSON.parse(readFileSync(join(m.dir, 'val-labels.json'), 'utf8')) as Labels,
}));
let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness(Object.fromEntries(models.map((m) => [m.name, m.dir])));
});
afterAll(async () => {
  await h?.close();
});

describe('in-browser evaluation, in Chromium', () => {
  it.each(models)("equals Ultralytics' model.val within 0.005: $name", async (model) => {
    const { name, reference, labels } = model;
    const loaded = await loadInPage(h, name);
    expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
    const files = labels.images.map((i) => `val-images/${i.file}`);
    const replies = await runInPage<{ detections: Detection[] }>(h, name, files, {
      ...VAL_OPTIONS,
      maxDet: reference.val.maxDet,
    });
    const evaluator = createDetectionEvaluator();
    labels.images.forEach((image, k) => {
      const reply = replies[k]!;
      if (!reply.ok) throw new Error(`${image.file}: ${reply.error.message}`);
      evaluator.add(
        reply.value.detections.map((d) => ({
          box: [d.x, d.y, d.x + d.w, d.y + d.h] as const,
          classIndex: d.classIndex,
          confidence: d.confidence,
        })),
        image.boxes.map((b) => ({
          box: [
            b.x * image.width,
            b.y * image.height,
            (b.x + b.w) * image.width,
            (b.y + b.h) * image.height,
          ] as const,
          classIndex: b.classIndex,
        })),
      );
    });
    const ours = evaluator.result();
    const keys = ['precision', 'recall', 'map50', 'map'] as const;
    const worst = Math.max(...keys.map((k) => Math.abs(ours[k] - reference.val[k])));
    const report =
      keys.map((k) => `${k} ${ours[k].toFixed(4)} vs ${reference.val[k].toFixed(4)}`).join('; ') +
      `; max |difference| ${worst.toExponential(2)}`;
    console.log(`${name}: evaluation over ${ours.images} images: ${report}`);
    expect(ours.images).toBe(labels.images.length);
    for (const key of keys) {
      expect(Math.abs(ours[key] - reference.val[key]), report).toBeLessThanOrEqual(0.005);
    }
  });
});
