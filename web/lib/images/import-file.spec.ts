import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { readDimensions, sniffImageType } from './image-header';
import { importFile, type Decoder } from './import-file';
import type { ImportOutcome } from './imported-image';
import { JPEG_3X2, PNG_3X2, pngHeaderOnly, WEBP_LOSSY_3X2 } from './test-images';

/** Node has no createImageBitmap; this stands in for it using the header (as a decoder would). */
const headerDecoder: Decoder = async (blob) => {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const type = sniffImageType(bytes);
  const size = type && readDimensions(bytes, type);
  if (!size) throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
  return size;
};

function reason(outcome: ImportOutcome): string {
  if (outcome.ok) throw new Error('expected a rejection');
  return outcome.rejection.reason;
}

describe('importFile', () => {
  it('returns hash, sniffed type and decoded size for a JPEG', async () => {
    const file = new File([JPEG_3X2], 'card.jpg', { type: 'image/jpeg' });
    const outcome = await importFile(file, headerDecoder);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { image } = outcome;
    expect(image.sha256).toBe(createHash('sha256').update(JPEG_3X2).digest('hex'));
    expect(image).toMatchObject({
      fileName: 'card.jpg',
      mimeType: 'image/jpeg',
      width: 3,
      height: 2,
    });
    expect(image.bytes).toBe(JPEG_3X2.length);
    expect(image.blob.type).toBe('image/jpeg');
    expect(new Uint8Array(await image.blob.arrayBuffer())).toEqual(JPEG_3X2);
  });

  it('types the blob by content, not by the file name', async () => {
    const outcome = await importFile(
      new File([PNG_3X2], 'photo.jpg', { type: 'image/jpeg' }),
      headerDecoder,
    );
    expect(outcome.ok && outcome.image.mimeType).toBe('image/png');
    expect(outcome.ok && outcome.image.blob.type).toBe('image/png');
    const webp = await importFile(new File([WEBP_LOSSY_3X2], 'x.webp'), headerDecoder);
    expect(webp.ok && webp.image.mimeType).toBe('image/webp');
  });

  it('takes width and height from the decoder, which applies EXIF rotation', async () => {
    const rotated: Decoder = async () => ({ width: 2, height: 3 });
    const outcome = await importFile(new File([JPEG_3X2], 'portrait.jpg'), rotated);
    expect(outcome.ok && [outcome.image.width, outcome.image.height]).toEqual([2, 3]);
  });

  it('rejects a text file renamed .jpg without decoding it', async () => {
    const decode = vi.fn(headerDecoder);
    const file = new File(['just some notes\n'], 'notes.jpg', { type: 'image/jpeg' });
    const outcome = await importFile(file, decode);
    expect(outcome).toEqual({
      ok: false,
      rejection: {
        fileName: 'notes.jpg',
        reason: expect.stringMatching(/not a JPEG, PNG or WebP image/),
      },
    });
    expect(decode).not.toHaveBeenCalled();
  });

  it('rejects an empty file', async () => {
    expect(reason(await importFile(new File([], 'empty.png'), headerDecoder))).toMatch(/empty/);
  });

  it('rejects a truncated file before decoding it', async () => {
    const decode = vi.fn(headerDecoder);
    const cut = new File([JPEG_3X2.subarray(0, 400)], 'cut.jpg');
    expect(reason(await importFile(cut, decode))).toMatch(/cut short/);
    expect(decode).not.toHaveBeenCalled();
  });

  it('rejects oversized images from the header alone, never decoding them', async () => {
    const decode = vi.fn(headerDecoder);
    const wide = new File([pngHeaderOnly(30_000, 10)], 'panorama.png');
    expect(reason(await importFile(wide, decode))).toMatch(/30,000 × 10 px.*20,000 px on a side/);
    const bomb = new File([pngHeaderOnly(15_000, 15_000)], 'bomb.png');
    expect(reason(await importFile(bomb, decode))).toMatch(/100 megapixels/);
    expect(decode).not.toHaveBeenCalled();
  });

  it('rejects a file whose data cannot be decoded', async () => {
    const failing: Decoder = () => Promise.reject(new DOMException('bad', 'InvalidStateError'));
    expect(reason(await importFile(new File([PNG_3X2], 'broken.png'), failing))).toMatch(
      /cannot be decoded/,
    );
  });
});
