// Tiny real images for unit tests (written by Pillow 13 from a 3 × 2 red RGB image, and a
// 5 × 7 RGBA one for the extended WebP layout), plus builders for headers no encoder would
// write. Imported only by *.spec.ts files.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

const fromBase64 = (b64: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.from(b64, 'base64'));

/** Baseline JPEG, 3 × 2. */
export const JPEG_3X2 = fromBase64(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAACAAMDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDHooorhPqD/9k=',
);

/** PNG, 3 × 2, RGB. */
export const PNG_3X2 = fromBase64(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGM8ISfHwMDAwMDAxAADABMuAQhqwGVhAAAAAElFTkSuQmCC',
);

/** Lossy WebP ('VP8 ' chunk), 3 × 2. */
export const WEBP_LOSSY_3X2 = fromBase64(
  'UklGRjYAAABXRUJQVlA4ICoAAACQAQCdASoDAAIAAsBMJaACdLoAA5gA/u2QP4hd7G2//PTP62/j/xkAAAA=',
);

/** Lossless WebP ('VP8L' chunk), 3 × 2. */
export const WEBP_LOSSLESS_3X2 = fromBase64('UklGRh4AAABXRUJQVlA4TBEAAAAvAkAAAAdQjyLXo/+BiOh/AAA=');

/** Extended WebP ('VP8X' chunk, alpha and EXIF), 5 × 7. */
export const WEBP_EXTENDED_5X7 = fromBase64(
  'UklGRmwAAABXRUJQVlA4WAoAAAAYAAAABAAABgAAQUxQSAoAAAABB1CyiAhERP8DVlA4ICoAAACQAQCdASoFAAcAAsBMJaACdLoAA5gA/u2QP4hd7G2//PTP62/j/xkAAABFWElGCgAAAElJKgAIAAAAAAA=',
);

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(Buffer.from(type, 'ascii'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/**
 * A PNG whose IHDR declares any size, with no pixel data: enough to test that the size limits
 * act on the header alone, before anything tries to decode.
 */
export function pngHeaderOnly(width: number, height: number): Uint8Array<ArrayBuffer> {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, default compression, filter, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IEND', new Uint8Array()),
  ];
  return new Uint8Array(Buffer.concat(parts));
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.concat(parts));
}

/** An imported image for database tests: `content` stands for its bytes (hashed as they are). */
export function importedImage(content: string, fileName = `${content}.jpg`) {
  const bytes = Buffer.from(content);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    blob: new Blob([bytes], { type: 'image/jpeg' }),
    fileName,
    mimeType: 'image/jpeg' as const,
    width: 640,
    height: 480,
    bytes: bytes.length,
  };
}
