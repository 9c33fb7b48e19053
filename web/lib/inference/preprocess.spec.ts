import { describe, expect, it } from 'vitest';
import { letterbox, letterboxTransform, PAD_VALUE } from './preprocess';
import { resizeBilinear, resizeBilinearRgba } from './resize-bilinear';

describe('letterboxTransform', () => {
  // Expected values printed by ultralytics 8.4.190 LetterBox((t, t)).get_params.
  it.each([
    // width, height, target, resized w, resized h, padX, padY
    [320, 240, 320, 320, 240, 0, 40],
    [100, 50, 64, 64, 32, 0, 16],
    [100, 33, 64, 64, 21, 0, 21], // odd leftover: 21 on top, 22 at the bottom
    [13, 128, 64, 6, 64, 29, 0], // 6.5 rounds to 6, as Python's round does
    [15, 128, 64, 8, 64, 28, 0], // 7.5 rounds to 8
    [1920, 1080, 640, 640, 360, 0, 140],
    [4032, 3024, 640, 640, 480, 0, 80],
    [3000, 1, 640, 640, 1, 0, 319], // thin strips keep one pixel
    [37, 23, 160, 160, 99, 0, 30], // upscales (scaleup=True)
  ])('%i x %i into %i', (w, h, t, rw, rh, padX, padY) => {
    const tr = letterboxTransform(w, h, t);
    expect(tr).toMatchObject({ resizedWidth: rw, resizedHeight: rh, padX, padY });
    expect(tr.scale).toBeCloseTo(Math.min(t / w, t / h), 12);
    expect(tr.scaleX).toBe(rw / w);
    expect(tr.scaleY).toBe(rh / h);
  });

  it('gives scale 1 and padY 40 for 320x240 into 320', () => {
    expect(letterboxTransform(320, 240, 320)).toMatchObject({ scale: 1, padX: 0, padY: 40 });
  });

  it('rejects an empty image', () => {
    expect(() => letterboxTransform(0, 10, 64)).toThrow(RangeError);
  });
});

describe("letterboxTransform in 'val' mode (model.val's dataloader)", () => {
  // Printed by ultralytics 8.4.190: BaseDataset.load_image on a real file of that size, then
  // LetterBox(new_shape, scaleup=False).get_params on what it loaded.
  it.each([
    // width, height, target w, target h, loaded w, loaded h, resized w, resized h, padX, padY
    [333, 250, 96, 96, 96, 73, 96, 73, 0, 11], // ceil(72.07): predict makes it 72, padY 12
    [320, 240, 96, 96, 96, 72, 96, 72, 0, 12],
    [150, 250, 96, 96, 58, 96, 58, 96, 19, 0],
    [64, 48, 96, 96, 96, 72, 96, 72, 0, 12], // enlarged by load_image, not by LetterBox
    [40, 72, 96, 96, 54, 96, 54, 96, 21, 0], // ceil(53.3): predict makes it 53
    [96, 72, 96, 96, 96, 72, 96, 72, 0, 12], // already the size: not resized
    [37, 23, 160, 160, 160, 100, 160, 100, 0, 30], // predict: 99 rows
    [4032, 3024, 640, 640, 640, 480, 640, 480, 0, 80],
    [1000, 999, 640, 640, 640, 640, 640, 640, 0, 0], // predict: 639 rows
    [320, 240, 96, 64, 96, 72, 85, 64, 5, 0], // a non-square input resizes twice
  ])('%i x %i into %i x %i', (w, h, tw, th, lw, lh, rw, rh, padX, padY) => {
    const tr = letterboxTransform(w, h, tw, th, 'val');
    expect(tr).toMatchObject({ loadWidth: lw, loadHeight: lh, clip: false });
    expect(tr).toMatchObject({ resizedWidth: rw, resizedHeight: rh, padX, padY });
    // The validator's ratio_pad: load_image's ratio per axis times LetterBox's.
    expect(tr.scaleX).toBeCloseTo((lw / w) * tr.scale, 12);
    expect(tr.scaleY).toBeCloseTo((lh / h) * tr.scale, 12);
  });

  it('clips boxes in predict mode only', () => {
    expect(letterboxTransform(333, 250, 96).clip).toBe(true);
    expect(letterboxTransform(333, 250, 96, 96, 'val').clip).toBe(false);
  });
});

describe('letterbox', () => {
  it('writes CHW RGB in 0..1 and pads with 114 grey', () => {
    // 4x2 image into 4: no resize, one padded row above and below.
    const data = new Uint8ClampedArray(4 * 2 * 4);
    for (let p = 0; p < 8; p++) data.set([255, 0, 51, 7], p * 4);
    const { tensor, transform } = letterbox({ data, width: 4, height: 2 }, 4);
    expect(transform).toMatchObject({ padX: 0, padY: 1, resizedWidth: 4, resizedHeight: 2 });
    expect(tensor.length).toBe(3 * 16);
    const at = (c: number, y: number, x: number) => tensor[c * 16 + y * 4 + x];
    const pad = Math.fround(PAD_VALUE / 255);
    for (const c of [0, 1, 2])
      for (const x of [0, 1, 2, 3]) expect([at(c, 0, x), at(c, 3, x)]).toEqual([pad, pad]);
    expect([at(0, 1, 0), at(1, 1, 0), at(2, 2, 3)]).toEqual([1, 0, Math.fround(51 / 255)]);
  });

  it('resizes into the centre when the size differs', () => {
    const data = new Uint8ClampedArray(2 * 1 * 4).fill(200);
    const { tensor, transform } = letterbox({ data, width: 2, height: 1 }, 4);
    expect(transform).toMatchObject({ resizedWidth: 4, resizedHeight: 2, padX: 0, padY: 1 });
    expect(tensor[4]).toBe(Math.fround(200 / 255)); // row 1, column 0
    expect(tensor[0]).toBe(Math.fround(114 / 255));
  });

  // model.val: one cv2.resize to load_image's size, or (non-square input) a second to LetterBox's.
  it.each([
    [333, 250, 96, 96],
    [320, 240, 96, 64],
  ])('resizes a %i x %i image into %i x %i as model.val does', (width, height, tw, th) => {
    let seed = 3;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    const data = Uint8ClampedArray.from({ length: width * height * 4 }, random);
    const { tensor, transform: t } = letterbox({ data, width, height }, tw, th, 'val');
    const loaded = resizeBilinearRgba({ data, width, height }, t.loadWidth, t.loadHeight);
    const rgb =
      t.resizedWidth === t.loadWidth
        ? resizeBilinear({ data, width, height }, t.resizedWidth, t.resizedHeight)
        : resizeBilinear(loaded, t.resizedWidth, t.resizedHeight);
    for (let y = 0; y < t.resizedHeight; y++)
      for (let x = 0; x < t.resizedWidth; x++)
        for (let c = 0; c < 3; c++)
          expect(tensor[c * tw * th + (y + t.padY) * tw + x + t.padX]).toBe(
            Math.fround(rgb[(y * t.resizedWidth + x) * 3 + c]! / 255),
          );
  });

  // The letterbox writes planes straight from the resize and fills only the padding; this is
  // the plain way (interleaved resize, whole tensor grey, copy in) it must agree with exactly.
  it.each([
    [37, 101, 64], // tall: padding left and right, odd leftover
    [101, 37, 64], // wide: padding above and below
    [64, 48, 64], // fits: no resize
    [13, 9, 40], // upscale
  ])('matches a plain resize-then-pad for a %i x %i image into %i', (width, height, size) => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    const data = Uint8ClampedArray.from({ length: width * height * 4 }, random);
    const { tensor, transform } = letterbox({ data, width, height }, size);
    const { resizedWidth: rw, resizedHeight: rh, padX, padY } = transform;
    const rgb =
      rw === width && rh === height
        ? Uint8Array.from({ length: rw * rh * 3 }, (_, i) => data[Math.floor(i / 3) * 4 + (i % 3)]!)
        : resizeBilinear({ data, width, height }, rw, rh);
    const expected = new Float32Array(3 * size * size).fill(PAD_VALUE / 255);
    for (let y = 0; y < rh; y++)
      for (let x = 0; x < rw; x++)
        for (let c = 0; c < 3; c++)
          expected[c * size * size + (y + padY) * size + x + padX] =
            rgb[(y * rw + x) * 3 + c]! / 255;
    expect(tensor).toEqual(expected);
  });
});
