import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageSize, ImageSizeProbe } from './image-size';

const make = (width: number, height: number, format: 'jpeg' | 'png' | 'webp', lossless = false) =>
  sharp({ create: { width, height, channels: 3, background: '#c33' } })
    .toFormat(format, { lossless })
    .toBuffer();

describe('ImageSizeProbe', () => {
  it('reads the size real encoders write, fed whole, one byte or a few bytes at a time', async () => {
    const cases = [
      await make(37, 21, 'jpeg'),
      await make(37, 21, 'png'),
      await make(37, 21, 'webp'),
      await make(37, 21, 'webp', true),
    ];
    for (const bytes of cases) {
      expect(imageSize(bytes)).toEqual({ width: 37, height: 21 });
      const probe = new ImageSizeProbe();
      for (const byte of bytes) probe.push(Uint8Array.of(byte));
      expect(probe.end()).toEqual({ width: 37, height: 21 });
      // Chunks that end inside the head and carry on past it.
      const chunked = new ImageSizeProbe();
      for (let i = 0; i < bytes.length; i += 7) chunked.push(bytes.subarray(i, i + 7));
      expect(chunked.end()).toEqual({ width: 37, height: 21 });
    }
  });

  it('skips a large segment before the JPEG frame header without holding it', async () => {
    const jpeg = await sharp({ create: { width: 9, height: 5, channels: 3, background: '#000' } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const app = Buffer.concat([Buffer.from([0xff, 0xe9, 0xff, 0xff]), Buffer.alloc(0xfffd)]);
    const padded = Buffer.concat([jpeg.subarray(0, 2), app, app, jpeg.subarray(2)]);
    expect(imageSize(padded)).toEqual({ width: 9, height: 5 });
  });

  it('reads a forged header that promises billions of pixels, and finds no size in junk', () => {
    const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60];
    expect(imageSize(Uint8Array.from([0xff, 0xd8, ...sof]))).toEqual({
      width: 60000,
      height: 60000,
    });
    expect(imageSize(Buffer.from('not an image at all, just some text'))).toBeNull();
    expect(imageSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeNull();
  });
});
