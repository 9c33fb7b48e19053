import { describe, expect, it } from 'vitest';
import {
  classifyTensor,
  pilCoefficients,
  resizePil,
  shortestSideSize,
  topK,
} from './classify-preprocess';
import fixture from './fixtures/pil-classify.json';

const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'));

function rgba(rgb: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let p = 0; p < rgb.length / 3; p++)
    out.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, 255], p * 4);
  return out;
}

describe('pilCoefficients', () => {
  it('widens the triangle with the shrink factor and sums each row to one', () => {
    const c = pilCoefficients(8, 2); // shrink 4x: support 4 each side
    expect(c.ksize).toBe(9);
    for (let x = 0; x < 2; x++) {
      let sum = 0;
      for (let t = 0; t < c.ksize; t++) sum += c.weights[x * c.ksize + t]!;
      expect(Math.abs(sum - (1 << 22))).toBeLessThanOrEqual(c.count[x]!);
    }
  });
});

describe('resizePil', () => {
  it.each(
    fixture.resizes.map((c) => [`${c.width}x${c.height} -> ${c.dstWidth}x${c.dstHeight}`, c]),
  )('equals Pillow Image.resize BILINEAR bit for bit: %s', (_, c) => {
    const image = { data: rgba(bytes(c.rgb)), width: c.width, height: c.height };
    expect(Buffer.from(resizePil(image, c.dstWidth, c.dstHeight))).toEqual(
      Buffer.from(bytes(c.out)),
    );
  });
});

describe('classifyTensor', () => {
  it('sizes the shortest side and truncates the long one like torchvision', () => {
    expect(shortestSideSize(320, 240, 96)).toEqual([128, 96]);
    expect(shortestSideSize(100, 301, 32)).toEqual([32, 96]);
  });

  it.each(fixture.classify.map((c) => [`${c.width}x${c.height} at ${c.size}`, c]))(
    "equals Ultralytics' classify_transforms: %s",
    (_, c) => {
      const image = { data: rgba(bytes(c.rgb)), width: c.width, height: c.height };
      const tensor = classifyTensor(image, c.size);
      const expected = Float32Array.from(bytes(c.chw), (v) => v / 255);
      expect(tensor).toEqual(expected);
    },
  );
});

describe('topK', () => {
  it('answers the best classes first, ties by index', () => {
    const scores = Float32Array.from([0.1, 0.4, 0.1, 0.4]);
    expect(topK(scores, ['a', 'b', 'c', 'd'], 3)).toEqual([
      { classIndex: 1, className: 'b', confidence: expect.closeTo(0.4, 6) as number },
      { classIndex: 3, className: 'd', confidence: expect.closeTo(0.4, 6) as number },
      { classIndex: 0, className: 'a', confidence: expect.closeTo(0.1, 6) as number },
    ]);
  });
});
