import { describe, expect, it } from 'vitest';
import { letterbox, letterboxTransform, PAD_VALUE } from './preprocess';
import { resizeBilinear } from './resize-bilinear';

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
