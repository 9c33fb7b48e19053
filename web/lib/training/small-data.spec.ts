import { describe, expect, it } from 'vitest';
import { dataGuide, smallDataSettings, type GuideImage } from './small-data';

const photo = (boxes: number[], width = 1200, height = 900): GuideImage => ({
  width,
  height,
  boxes: boxes.map((classIndex) => ({ classIndex })),
});

describe('the guide before training', () => {
  it('counts photos and labels per class, and names the classes with too few', () => {
    const images = [...Array.from({ length: 12 }, () => photo([0, 0])), photo([1]), photo([])];
    const guide = dataGuide(images, ['card', 'back'], 'detect');
    expect(guide).toEqual({
      photos: 14,
      labeledPhotos: 13,
      classes: [
        { name: 'card', photos: 12, labels: 24 },
        { name: 'back', photos: 1, labels: 1 },
      ],
      fewExamples: ['back'],
      medianLongSide: 1200,
    });
  });

  it('learns from what the task learns: image classes for classify, outlines for segment', () => {
    const image = { ...photo([0]), polygons: [{ classIndex: 1 }], imageClass: 1 };
    expect(dataGuide([image], ['a', 'b'], 'classify').classes.map((c) => c.photos)).toEqual([0, 1]);
    expect(dataGuide([image], ['a', 'b'], 'segment').classes.map((c) => c.labels)).toEqual([0, 1]);
    expect(dataGuide([image], ['a', 'b'], 'detect').classes.map((c) => c.labels)).toEqual([1, 1]);
  });
});

describe('settings for small datasets', () => {
  it('picks many epochs with early stopping and an image size near the photos, and says why', () => {
    const phone = smallDataSettings(dataGuide([photo([0], 4032, 3024)], ['card'], 'detect'));
    expect(phone).toMatchObject({ epochs: 60, patience: 15, imgsz: 640 });
    expect(phone!.why).toMatch(/^1 photos is a small dataset/);
    const tiny = smallDataSettings(dataGuide([photo([0], 160, 120)], ['card'], 'detect'));
    expect(tiny?.imgsz).toBe(160);
    const odd = smallDataSettings(dataGuide([photo([0], 300, 200)], ['card'], 'detect'));
    expect(odd?.imgsz).toBe(320);
  });

  it('leaves a large dataset (or an empty one) to the usual settings', () => {
    const many = Array.from({ length: 200 }, () => photo([0]));
    expect(smallDataSettings(dataGuide(many, ['card'], 'detect'))).toBeNull();
    expect(smallDataSettings(dataGuide([], ['card'], 'detect'))).toBeNull();
  });
});
