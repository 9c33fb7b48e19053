/**
 * Segment and classify parity with Ultralytics, in Chromium: tiny real yolo11n-seg and
 * yolo11n-cls models (trained on the synthetic cards, exported by Ultralytics) run in the built
 * worker on the JPEGs Ultralytics' predict saw. Segment: the same detections, and each mask's IoU
 * with Ultralytics' mask above 0.95. Classify: the same top-5, probabilities within 0.01.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassScore, Segment } from '../../web/lib/inference/types';
import {
  inferenceFixture,
  loadInPage,
  openHarness,
  runInPage,
  type HarnessPage,
} from '../fixtures/inference-harness';

interface SegmentReference {
  confs: number[];
  images: {
    file: string;
    width: number;
    height: number;
    predictions: Record<
      string,
      {
        classIndex: number;
        confidence: number;
        xyxy: number[];
        mask: string;
        maskShape: [number, number];
      }[]
    >;
  }[];
}
interface ClassifyReference {
  images: { file: string; probs: number[]; top5: number[] }[];
}

const segmentDir = inferenceFixture('segment');
const classifyDir = inferenceFixture('classify');
const read = <T>(dir: string) => JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as T;
const segmentReference = read<SegmentReference>(segmentDir);
const classifyReference = read<ClassifyReference>(classifyDir);
let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness({ segment: segmentDir, classify: classifyDir });
});
afterAll(async () => {
  await h?.close();
});

/** Our mask (over the un-padded input) against Ultralytics' (the whole letterboxed input). */
function maskIou(ours: Segment & { mask: number[] }, bits: string, shape: [number, number]) {
  const [mh, mw] = shape;
  const padX = Math.round((mw - ours.maskWidth) / 2 - 0.1);
  const padY = Math.round((mh - ours.maskHeight) / 2 - 0.1);
  let inter = 0;
  let union = 0;
  let theirsOutside = 0;
  for (let y = 0; y < mh; y++) {
    for (let x = 0; x < mw; x++) {
      const t = bits[y * mw + x] === '1';
      const oy = y - padY;
      const ox = x - padX;
      const inside = oy >= 0 && oy < ours.maskHeight && ox >= 0 && ox < ours.maskWidth;
      if (!inside) {
        if (t) theirsOutside++;
        continue;
      }
      const o = ours.mask[oy * ours.maskWidth + ox] === 1;
      if (o && t) inter++;
      if (o || t) union++;
    }
  }
  // Mask pixels over the grey padding are not part of the photo; we do not keep them.
  return { iou: union ? inter / union : 1, theirsOutside };
}

describe('segment parity with Ultralytics predict, in Chromium', () => {
  it('loads the segment export on wasm', async () => {
    const loaded = await loadInPage(h, 'segment');
    expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
    if (loaded.ok) expect(loaded.value).toMatchObject({ backend: 'wasm', task: 'segment' });
  });

  it.each(segmentReference.confs)(
    'gives the same instances and masks (IoU > 0.95) at conf %s',
    async (conf) => {
      const files = segmentReference.images.map((i) => `images/${i.file}`);
      const replies = await runInPage<{
        task: string;
        detections: (Segment & { mask: number[] })[];
      }>(h, 'segment', files, { conf });
      const ious: number[] = [];
      const problems: string[] = [];
      let expected = 0;
      segmentReference.images.forEach((image, k) => {
        const reply = replies[k]!;
        if (!reply.ok) throw new Error(`${image.file}: ${reply.error.message}`);
        expect(reply.value.task).toBe('segment');
        const ours = reply.value.detections;
        const theirs = image.predictions[String(conf)]!;
        expected += theirs.length;
        if (ours.length !== theirs.length) {
          problems.push(`${image.file}: ${ours.length} vs ${theirs.length} instances`);
          return;
        }
        // Both lists are in NMS order (best score first), so instances pair by position.
        theirs.forEach((t, i) => {
          const o = ours[i]!;
          if (o.classIndex !== t.classIndex || Math.abs(o.confidence - t.confidence) > 0.01) {
            problems.push(`${image.file} #${i}: class/confidence differ`);
            return;
          }
          const { iou } = maskIou(o, t.mask, t.maskShape);
          ious.push(iou);
          // The polygon is the editable outline: inside the image, at least a triangle.
          expect(o.polygon.points.length).toBeGreaterThanOrEqual(3);
          expect(o.polygon.classIndex).toBe(o.classIndex);
          for (const [x, y] of o.polygon.points) {
            expect(x >= 0 && x <= 1 && y >= 0 && y <= 1).toBe(true);
          }
        });
      });
      ious.sort((a, b) => a - b);
      const report =
        `conf ${conf}: ${ious.length}/${expected} instances; mask IoU min ` +
        `${(ious[0] ?? 0).toFixed(4)} median ${(ious[ious.length >> 1] ?? 0).toFixed(4)}`;
      console.log(report);
      expect(expected, 'the fixture model must find something').toBeGreaterThan(0);
      expect(problems, report).toEqual([]);
      expect(ious.length, report).toBe(expected);
      expect(ious[0] ?? 0, report).toBeGreaterThan(0.95);
    },
  );
});

describe('classify parity with Ultralytics predict, in Chromium', () => {
  it('gives the same top-5, probabilities within 0.01', async () => {
    const loaded = await loadInPage(h, 'classify');
    expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
    const files = classifyReference.images.map((i) => `images/${i.file}`);
    const replies = await runInPage<{ task: string; top: ClassScore[] }>(h, 'classify', files, {
      topK: 5,
    });
    let worst = 0;
    classifyReference.images.forEach((image, k) => {
      const reply = replies[k]!;
      if (!reply.ok) throw new Error(`${image.file}: ${reply.error.message}`);
      expect(reply.value.task).toBe('classify');
      expect(
        reply.value.top.map((s) => s.classIndex),
        image.file,
      ).toEqual(image.top5);
      for (const s of reply.value.top) {
        worst = Math.max(worst, Math.abs(s.confidence - image.probs[s.classIndex]!));
      }
    });
    console.log(
      `classify: ${replies.length} images, probability difference max ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThanOrEqual(0.01);
  });
});
