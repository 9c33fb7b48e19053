import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATASETS } from '../../../test/fixtures/shared-datasets';
import {
  isComplete,
  isHeic,
  readDimensions,
  sizeLimitProblem,
  sniffImageType,
  toHex,
} from './image-header';
import {
  concat,
  JPEG_3X2,
  PNG_3X2,
  pngHeaderOnly,
  WEBP_EXTENDED_5X7,
  WEBP_LOSSLESS_3X2,
  WEBP_LOSSY_3X2,
} from './test-images';

const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('sniffImageType', () => {
  it('recognises JPEG, PNG and WebP by their first bytes', () => {
    expect(sniffImageType(JPEG_3X2)).toBe('image/jpeg');
    expect(sniffImageType(PNG_3X2)).toBe('image/png');
    expect(sniffImageType(WEBP_LOSSY_3X2)).toBe('image/webp');
    expect(sniffImageType(WEBP_LOSSLESS_3X2)).toBe('image/webp');
  });

  it('refuses text, GIF, a RIFF that is not WebP, and files too short to tell', () => {
    expect(sniffImageType(text('hello, I am a .txt renamed .jpg'))).toBeUndefined();
    expect(sniffImageType(text('GIF89a\x01\x00\x01\x00'))).toBeUndefined();
    expect(sniffImageType(text('RIFF\x24\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
  });

  it('spots HEIC so the user can be told how to export a JPEG', () => {
    expect(isHeic(text('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00'))).toBe(true);
    expect(isHeic(JPEG_3X2)).toBe(false);
  });
});

describe('readDimensions', () => {
  it('reads the JPEG SOF, the PNG IHDR and all three WebP layouts', () => {
    expect(readDimensions(JPEG_3X2, 'image/jpeg')).toEqual({ width: 3, height: 2 });
    expect(readDimensions(PNG_3X2, 'image/png')).toEqual({ width: 3, height: 2 });
    expect(readDimensions(WEBP_LOSSY_3X2, 'image/webp')).toEqual({ width: 3, height: 2 });
    expect(readDimensions(WEBP_LOSSLESS_3X2, 'image/webp')).toEqual({ width: 3, height: 2 });
    expect(readDimensions(WEBP_EXTENDED_5X7, 'image/webp')).toEqual({ width: 5, height: 7 });
  });

  it('reads sizes beyond 16 bits from a PNG header', () => {
    expect(readDimensions(pngHeaderOnly(70_000, 3), 'image/png')).toEqual({
      width: 70_000,
      height: 3,
    });
  });

  it('skips an EXIF segment holding a thumbnail JPEG with its own SOF', () => {
    // APP1 carrying a 16 × 16 thumbnail's SOF0 and EOI, inserted before the real frame.
    const thumbnail = [
      0xff,
      0xd8,
      0xff,
      0xc0,
      0,
      17,
      8,
      0,
      16,
      0,
      16,
      3,
      ...Array(9).fill(0),
      0xff,
      0xd9,
    ];
    const app1 = new Uint8Array([0xff, 0xe1, 0, thumbnail.length + 2, ...thumbnail]);
    const jpeg = concat(JPEG_3X2.subarray(0, 2), app1, JPEG_3X2.subarray(2));
    expect(readDimensions(jpeg, 'image/jpeg')).toEqual({ width: 3, height: 2 });
    expect(isComplete(jpeg, 'image/jpeg')).toBe(true);
  });

  it('gives undefined for a header cut short', () => {
    expect(readDimensions(JPEG_3X2.subarray(0, 100), 'image/jpeg')).toBeUndefined();
    expect(readDimensions(PNG_3X2.subarray(0, 12), 'image/png')).toBeUndefined();
    expect(readDimensions(WEBP_LOSSY_3X2.subarray(0, 20), 'image/webp')).toBeUndefined();
  });

  const coco = join(SHARED_DATASETS, 'coco8-detect/coco8/images/train/000000000009.jpg');
  it.skipIf(!existsSync(coco))('reads a real 640 × 480 photo (shared COCO8 sample)', () => {
    const bytes = new Uint8Array(readFileSync(coco));
    expect(sniffImageType(bytes)).toBe('image/jpeg');
    expect(readDimensions(bytes, 'image/jpeg')).toEqual({ width: 640, height: 480 });
    expect(isComplete(bytes, 'image/jpeg')).toBe(true);
    expect(isComplete(bytes.subarray(0, bytes.length - 1000), 'image/jpeg')).toBe(false);
  });
});

describe('isComplete', () => {
  it('accepts whole files', () => {
    expect(isComplete(JPEG_3X2, 'image/jpeg')).toBe(true);
    expect(isComplete(PNG_3X2, 'image/png')).toBe(true);
    expect(isComplete(WEBP_LOSSY_3X2, 'image/webp')).toBe(true);
    expect(isComplete(WEBP_EXTENDED_5X7, 'image/webp')).toBe(true);
  });

  it('refuses files cut short', () => {
    expect(isComplete(JPEG_3X2.subarray(0, JPEG_3X2.length - 2), 'image/jpeg')).toBe(false);
    expect(isComplete(JPEG_3X2.subarray(0, 300), 'image/jpeg')).toBe(false);
    expect(isComplete(PNG_3X2.subarray(0, PNG_3X2.length - 1), 'image/png')).toBe(false);
    expect(isComplete(PNG_3X2.subarray(0, 40), 'image/png')).toBe(false);
    expect(isComplete(WEBP_LOSSY_3X2.subarray(0, 50), 'image/webp')).toBe(false);
  });

  it('accepts data appended after the JPEG end marker (motion photos)', () => {
    const appended = concat(JPEG_3X2, text('....ftypmp42 video bytes'));
    expect(isComplete(appended, 'image/jpeg')).toBe(true);
  });
});

describe('sizeLimitProblem', () => {
  it('allows the largest sizes within both limits', () => {
    expect(sizeLimitProblem({ width: 20_000, height: 5_000 })).toBeUndefined();
    expect(sizeLimitProblem({ width: 10_000, height: 10_000 })).toBeUndefined();
  });

  it('refuses more than 20,000 px on a side or more than 100 megapixels, saying why', () => {
    expect(sizeLimitProblem({ width: 20_001, height: 10 })).toMatch(/20,000 px on a side/);
    expect(sizeLimitProblem({ width: 10_001, height: 10_000 })).toMatch(/100 megapixels/);
  });
});

describe('toHex', () => {
  it('writes lower-case, zero-padded hex', () => {
    expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(toHex(new Uint8Array([0x0f]).buffer)).toBe('0f');
  });
});
