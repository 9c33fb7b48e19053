import { describe, expect, it } from 'vitest';
import fixture from './fixtures/opencv-resize.json';
import { axisTaps, resizeBilinear, roundHalfEven, type RgbaImage } from './resize-bilinear';

/** Grey RGBA image from one value per pixel. */
function grey(width: number, height: number, values: number[]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  values.forEach((v, i) => data.set([v, v, v, 255], i * 4));
  return { data, width, height };
}

function rgbToRgba(rgb: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let p = 0; p < rgb.length / 3; p++)
    out.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, 255], p * 4);
  return out;
}

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour like Python and cvRound', () => {
    expect([0.5, 1.5, 2.5, 6.5, 7.5, -0.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 6, 8, 0, 2, 3,
    ]);
  });
});

describe('axisTaps', () => {
  it('clamps columns at both edges with the fraction zeroed', () => {
    const taps = axisTaps(4, 2, true);
    expect([...taps.first]).toEqual([0, 0, 0, 1]);
    expect([...taps.weightFirst]).toEqual([2048, 1536, 512, 2048]);
    expect([...taps.weightSecond]).toEqual([0, 512, 1536, 0]);
  });
});

describe('resizeBilinear', () => {
  it('matches a hand-computed 2x1 -> 4x1 upscale', () => {
    // Columns sample source x = -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
    const out = resizeBilinear(grey(2, 1, [0, 200]), 4, 1);
    expect([...out.filter((_, i) => i % 3 === 0)]).toEqual([0, 50, 150, 200]);
  });

  it('rounds like OpenCV fixed point: a quarter of 255 is 64, not 63', () => {
    const out = resizeBilinear(grey(2, 1, [0, 255]), 4, 1);
    expect(out[3]).toBe(64);
  });

  it('averages 2x2 blocks when halving', () => {
    const out = resizeBilinear(grey(2, 2, [10, 20, 30, 40]), 1, 1);
    expect(out[0]).toBe(25);
  });

  it.each(fixture.cases)(
    'is bit-exact with cv2.resize INTER_LINEAR: $width x $height -> $dstWidth x $dstHeight',
    ({ width, height, dstWidth, dstHeight, rgb, expected }) => {
      const src = { data: rgbToRgba(Buffer.from(rgb, 'base64')), width, height };
      const out = resizeBilinear(src, dstWidth, dstHeight);
      expect(Buffer.from(out).equals(Buffer.from(expected, 'base64'))).toBe(true);
    },
  );
});
