import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './image-decoder';

/** A 40x20 picture: left half red, right half blue. */
function halves() {
  const data = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 40; x++) data.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  }
  return sharp(data, { raw: { width: 40, height: 20, channels: 3 } });
}

const pixel = (p: { data: Uint8Array | Uint8ClampedArray; width: number }, x: number, y: number) =>
  Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4));
const redish = (rgba: number[]) => rgba[0]! > 200 && rgba[2]! < 60 && rgba[3] === 255;
const blueish = (rgba: number[]) => rgba[2]! > 200 && rgba[0]! < 60;

describe('decodeImage', () => {
  it('applies EXIF orientation as the browser does (6: turned 90° clockwise)', async () => {
    const bytes = await halves().jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const pixels = await decodeImage(sharp, { bytes, label: 'the image' });
    expect([pixels.width, pixels.height]).toEqual([20, 40]);
    // The left (red) half is now on top, the blue one below.
    expect(redish(pixel(pixels, 10, 5))).toBe(true);
    expect(blueish(pixel(pixels, 10, 35))).toBe(true);
  });

  it('gives 8-bit RGBA for grey and 16-bit PNGs', async () => {
    const grey = await halves().greyscale().png().toBuffer();
    const g = await decodeImage(sharp, { bytes: grey, label: 'grey' });
    expect(g.data.length).toBe(40 * 20 * 4);
    const [r, gg, b, a] = pixel(g, 5, 5);
    expect(r).toBe(gg);
    expect(gg).toBe(b);
    expect(a).toBe(255);
    const deep = await halves().png().toColourspace('rgb16').toBuffer();
    const d = await decodeImage(sharp, { bytes: deep, label: 'deep' });
    expect(redish(pixel(d, 5, 5))).toBe(true);
  });

  it('decodes WebP', async () => {
    const bytes = await halves().webp({ lossless: true }).toBuffer();
    const p = await decodeImage(sharp, { bytes, label: 'webp' });
    expect(pixel(p, 30, 10)).toEqual([0, 0, 255, 255]);
  });

  it('refuses other files, truncated and corrupt images, naming the image', async () => {
    const gif = await halves().gif().toBuffer();
    await expect(decodeImage(sharp, { bytes: gif, label: 'image 3' })).rejects.toMatchObject({
      status: 415,
      code: 'not_an_image',
      message: 'image 3 is not a JPEG, PNG or WebP image',
    });
    const jpeg = await halves().jpeg().toBuffer();
    await expect(
      decodeImage(sharp, { bytes: jpeg.subarray(0, jpeg.length - 40), label: 'a.jpg' }),
    ).rejects.toMatchObject({ status: 400, code: 'truncated_image', message: /^a\.jpg/ });
    const png = await halves().png().toBuffer();
    await expect(
      decodeImage(sharp, { bytes: png.subarray(0, png.length >> 1), label: 'b.png' }),
    ).rejects.toMatchObject({ status: 400, message: /^b\.png could not be decoded/ });
  });
});
