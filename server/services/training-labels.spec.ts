import { describe, expect, it } from 'vitest';
import type { DatasetManifest } from '../contract';
import { labelClassesPerImage, trainingProblem } from './training-labels';

const sha = (n: number) => String(n).repeat(64).slice(0, 64);
const image = (n: number, labels: Partial<DatasetManifest['images'][number]>) => ({
  sha256: sha(n),
  fileName: `${n}.jpg`,
  width: 10,
  height: 10,
  boxes: [],
  ...labels,
});
const box = (classIndex: number) => ({ classIndex, x: 0, y: 0, w: 0.5, h: 0.5 });
const outline = (classIndex: number) => ({
  classIndex,
  points: [
    [0, 0],
    [1, 0],
    [0, 1],
  ] as [number, number][],
});

const manifest: DatasetManifest = {
  name: 'cards',
  classes: ['front', 'back'],
  images: [image(1, { boxes: [box(0)] }), image(2, { polygons: [outline(1)], imageClass: 1 })],
};

describe('training labels', () => {
  it('counts boxes and outlines for detect and segment, image classes for classify', () => {
    expect(labelClassesPerImage(manifest, 'detect')).toEqual([[0], [1]]);
    expect(labelClassesPerImage(manifest, 'segment')).toEqual([[0], [1]]);
    expect(labelClassesPerImage(manifest, 'classify')).toEqual([[], [1]]);
  });

  it('says which class has no example for the chosen task', () => {
    expect(trainingProblem(manifest, 'detect')).toBeNull();
    expect(trainingProblem(manifest, 'classify')).toMatchObject({
      code: 'class_without_examples',
      message: expect.stringContaining('"front"'),
    });
  });

  it('says what to label when a task has nothing to learn from', () => {
    const unlabeled = { ...manifest, images: [image(1, {})] };
    expect(trainingProblem(unlabeled, 'classify')).toMatchObject({
      code: 'empty_dataset',
      hint: expect.stringMatching(/^Give images a class/),
    });
  });
});
