import { describe, expect, it } from 'vitest';
import type { BatchItem } from '$lib/inference/batch-runner';

import { evaluateDataset, type LabeledImage } from './dataset-evaluation';
import { detectStats, type EvalLabels, type ImageStats } from './image-stats';

const W = 200;
const H = 100;

/**
 * A model that finds exactly the labeled boxes, in its own class order (names swapped); its
 * stats are made by the same code the worker runs (detectStats) from the labels it is sent, as
 * the dataset's classes map to the model's.
 */
function perfectDetector(images: LabeledImage[], toModel: (c: number) => number) {
  return {
    async evaluate(image: Blob | ImageBitmap, labels: EvalLabels): Promise<ImageStats> {
      const truth = images[Number(await (image as Blob).text())]!;
      const predictions = truth.boxes.map((b) => ({
        classIndex: toModel(b.classIndex),
        confidence: 0.9,
        box: [b.x * W, b.y * H, (b.x + b.w) * W, (b.y + b.h) * H] as const,
      }));
      return detectStats(predictions, labels, W, H);
    },
  };
}

const source = (images: LabeledImage[]) => ({
  total: images.length,
  async *pages() {
    yield images.map((key, i): BatchItem<LabeledImage> => ({
      key,
      read: async () => new Blob([String(i)]),
    }));
  },
});

describe('evaluateDataset', () => {
  it('scores a model that finds every label as perfect, matching classes by name', async () => {
    const images: LabeledImage[] = [
      { boxes: [{ classIndex: 0, x: 0.1, y: 0.1, w: 0.3, h: 0.5 }] },
      { boxes: [{ classIndex: 1, x: 0.5, y: 0.2, w: 0.2, h: 0.6 }] },
      { boxes: [], polygons: [] },
    ];
    const progress: number[] = [];
    const out = await evaluateDataset(
      perfectDetector(images, (c) => 1 - c),
      source(images),
      {
        datasetClasses: ['back', 'card'],
        modelClasses: ['card', 'back'],
        onProgress: (p) => progress.push(p.done),
      },
    );
    expect(out.task).toBe('detect');
    if (out.task !== 'detect') return;
    expect(out.images).toBe(3);
    expect(out.metrics.precision).toBeCloseTo(1, 6);
    expect(out.metrics.recall).toBeCloseTo(1, 6);
    expect(out.metrics.map50).toBeCloseTo(0.995, 3); // 101-point interpolation, as Ultralytics
    expect(out.metrics.perClass.map((c) => c.classIndex)).toEqual([0, 1]);
    expect(progress).toEqual([0, 1, 2, 3]);
  });

  it('leaves out labels of classes the model does not have, and names them', async () => {
    const images: LabeledImage[] = [
      {
        boxes: [
          { classIndex: 0, x: 0.1, y: 0.1, w: 0.3, h: 0.5 },
          { classIndex: 1, x: 0.5, y: 0.2, w: 0.2, h: 0.6 },
        ],
      },
    ];
    const detector = perfectDetector(images, () => 0);
    const out = await evaluateDataset(detector, source(images), {
      datasetClasses: ['card', 'joker'],
      modelClasses: ['card'],
    });
    expect(out.unknownClasses).toEqual(['joker']);
    // The joker box was predicted as a card: a false positive, so precision drops, recall not.
    if (out.task !== 'detect') throw new Error('expected detect metrics');
    expect(out.metrics.recall).toBeCloseTo(1, 6);
    expect(out.metrics.precision).toBeLessThan(1);
  });
});
