import { AppError } from '../http/app-error';
import { sniffImageType } from './media-type';

export type ImageSize = { width: number; height: number };

/** PNG (IHDR) and WebP (VP8/VP8L/VP8X) state their size within this many bytes. */
const HEAD_BYTES = 30;

type JpegState = 'ff' | 'code' | 'length' | 'sof' | 'skip';
const isSof = (code: number) =>
  code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc;
const isStandalone = (code: number) => (code >= 0xd0 && code <= 0xd7) || code === 0x01;

/**
 * Reads the width and height an image's header declares, as the bytes stream past, without
 * decoding anything: a decompression bomb is a small file whose header promises billions of
 * pixels, and this is how it is refused before any decoder sees it. A JPEG states its size in
 * its SOF segment, reached by skipping each earlier segment by its length, so only a few bytes
 * are held at any time however large the EXIF or ICC data before it.
 */
export class ImageSizeProbe {
  size: ImageSize | null = null;
  private head: Buffer | null = Buffer.alloc(0);
  private finished = false;
  private state: JpegState = 'ff';
  private want = 0;
  private collected: number[] = [];
  private sof = false;

  push(chunk: Uint8Array) {
    if (this.finished) return;
    let from = 0;
    if (this.head) {
      // Only the head is copied: a whole photo often arrives as one chunk.
      from = Math.min(chunk.length, HEAD_BYTES - this.head.length);
      this.head = Buffer.concat([this.head, chunk.subarray(0, from)]);
      if (this.head.length < HEAD_BYTES) return;
      this.begin();
    }
    this.walkJpeg(chunk, from);
  }

  /** True once the size was read, or once it is clear that the header states none. */
  get done() {
    return this.finished;
  }

  /** Call once the stream ended; a file shorter than a header gets its chance here. */
  end() {
    if (this.head) this.begin();
    this.finished = true;
    return this.size;
  }

  private begin() {
    const head = this.head ?? Buffer.alloc(0);
    this.head = null;
    const type = sniffImageType(head);
    if (type === 'image/jpeg') return this.walkJpeg(head, 2);
    this.finished = true;
    if (type === 'image/png') this.size = pngSize(head);
    if (type === 'image/webp') this.size = webpSize(head);
  }

  private walkJpeg(bytes: Uint8Array, from: number) {
    let i = from;
    while (i < bytes.length && !this.finished) {
      if (this.state === 'skip') {
        const n = Math.min(this.want, bytes.length - i);
        this.want -= n;
        i += n;
        if (this.want === 0) this.state = 'ff';
        continue;
      }
      this.step(bytes[i]!);
      i++;
    }
  }

  private step(byte: number) {
    if (this.state === 'ff') {
      if (byte !== 0xff)
        this.finished = true; // not a segment boundary: no size to be read
      else this.state = 'code';
    } else if (this.state === 'code') {
      if (byte === 0xff) return; // fill bytes before a marker
      if (isStandalone(byte)) this.state = 'ff';
      else if (byte === 0xd9 || byte === 0xda)
        this.finished = true; // image data before any SOF
      else this.expect('length', 2, isSof(byte));
    } else {
      this.collected.push(byte);
      if (this.collected.length < this.want) return;
      const b = this.collected;
      if (this.state === 'length' && this.sof) this.expect('sof', 5, true);
      else if (this.state === 'length') this.expect('skip', ((b[0]! << 8) | b[1]!) - 2, false);
      else {
        this.size = { height: (b[1]! << 8) | b[2]!, width: (b[3]! << 8) | b[4]! };
        this.finished = true;
      }
      if (this.state === 'skip' && this.want <= 0) this.state = 'ff';
    }
  }

  private expect(state: JpegState, bytes: number, sof: boolean) {
    this.state = state;
    this.want = bytes;
    this.sof = sof;
    this.collected = [];
  }
}

function pngSize(head: Buffer): ImageSize | null {
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

function webpSize(head: Buffer): ImageSize | null {
  if (head.length < HEAD_BYTES) return null;
  const chunk = head.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    const bits = head.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X')
    return { width: head.readUIntLE(24, 3) + 1, height: head.readUIntLE(27, 3) + 1 };
  return null;
}

/** The declared size of a whole image held in memory. */
export function imageSize(bytes: Uint8Array) {
  const probe = new ImageSizeProbe();
  probe.push(bytes);
  return probe.end();
}

/** Refuses an image whose header states no size, or more pixels than the server will decode. */
export function checkImageSize(size: ImageSize | null, maxPixels: number, what: string) {
  if (!size || size.width === 0 || size.height === 0) {
    throw new AppError(
      415,
      'not_an_image',
      `${what} is not an image: its header states no size`,
      'Save the photo again as JPEG, PNG or WebP and add it again.',
    );
  }
  if (size.width * size.height > maxPixels) throw tooManyPixels(422, size, maxPixels, what);
  return size;
}

function tooManyPixels(status: 413 | 422, size: ImageSize, maxPixels: number, what: string) {
  return new AppError(
    status,
    'image_too_large',
    `${what} declares ${size.width} x ${size.height} pixels, over the limit of ${maxPixels}`,
    'Resize the image, or raise LOUPE_MAX_IMAGE_PIXELS on the server if it is genuine.',
    { width: size.width, height: size.height, maxPixels },
  );
}

/**
 * LOUPE_MAX_IMAGE_PIXELS for an upload, checked as its bytes stream in: `push` throws (413) as
 * soon as the header declares too many pixels, so the rest of a decompression bomb is never
 * received. Whether the bytes are an image at all is checked once they are complete.
 */
export class PixelLimit {
  private readonly probe = new ImageSizeProbe();
  /** Bytes seen so far (a resumed upload must continue exactly where this stopped). */
  seen = 0;

  constructor(
    private readonly maxPixels: number,
    private readonly what: string,
  ) {}

  get done() {
    return this.probe.done;
  }

  readonly push = (chunk: Uint8Array) => {
    this.seen += chunk.length;
    if (this.probe.done) return;
    this.probe.push(chunk);
    this.check(this.probe.size);
  };

  end() {
    this.check(this.probe.end());
  }

  private check(size: ImageSize | null) {
    if (size && size.width * size.height > this.maxPixels) {
      throw tooManyPixels(413, size, this.maxPixels, this.what);
    }
  }
}
