// Pure byte-level checks on image files: which format a file really is, how big its header says
// it is, and whether it ends where its format says it should. No DOM and no worker globals, so
// the worker can use them before it decodes anything and vitest can test them in Node.
import type { ImageMimeType } from './imported-image';

/** The contract's ManifestImage caps each side at 20,000 px; larger images are refused early. */
export const MAX_SIDE = 20_000;
/** A 100 megapixel RGBA bitmap is 400 MB of memory; beyond that a phone tab is likely killed. */
export const MAX_PIXELS = 100_000_000;

export interface Dimensions {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, expected: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + expected.length) return false;
  return expected.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (bytes.length < offset + length) return '';
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function u16be(bytes: Uint8Array, i: number): number {
  return ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
}

function u16le(bytes: Uint8Array, i: number): number {
  return (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8);
}

function u24le(bytes: Uint8Array, i: number): number {
  return u16le(bytes, i) | ((bytes[i + 2] ?? 0) << 16);
}

function u32be(bytes: Uint8Array, i: number): number {
  // `>>> 0` keeps values above 2^31 positive.
  return ((u16be(bytes, i) << 16) | u16be(bytes, i + 2)) >>> 0;
}

function u32le(bytes: Uint8Array, i: number): number {
  return ((u16le(bytes, i + 2) << 16) | u16le(bytes, i)) >>> 0;
}

/** The format the first bytes prove, whatever the file name or the browser's MIME guess says. */
export function sniffImageType(bytes: Uint8Array): ImageMimeType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  return undefined;
}

/** True for HEIC/HEIF photos, the one non-supported format users meet often (iPhone camera). */
export function isHeic(bytes: Uint8Array): boolean {
  return (
    ascii(bytes, 4, 4) === 'ftyp' &&
    /^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(ascii(bytes, 8, 4))
  );
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (reserved) and CC (DAC) share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF that starts the marker. */
  offset: number;
  /** Offset just past the segment (marker + length field + payload). */
  end: number;
}

/** Walks the marker segments up to and including the first SOS (start of scan). */
function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  let i = 2; // after SOI
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return; // not a marker where one must be: damaged header
    while (bytes[i + 1] === 0xff && i + 2 < bytes.length) i++; // optional fill bytes
    const marker = bytes[i + 1] ?? 0;
    const standalone = marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
    if (standalone) {
      i += 2;
      continue;
    }
    if (marker === 0xd9) return; // EOI before any scan
    const end = i + 2 + u16be(bytes, i + 2);
    yield { marker, offset: i, end };
    if (marker === 0xda) return;
    i = end;
  }
}

function jpegDimensions(bytes: Uint8Array): Dimensions | undefined {
  for (const segment of jpegSegments(bytes)) {
    if (!isStartOfFrame(segment.marker)) continue;
    // SOF payload: precision (1), height (2), width (2). A height of 0 means "defined later by a
    // DNL marker", which we cannot check before decoding, so it is treated as unreadable.
    const height = u16be(bytes, segment.offset + 5);
    const width = u16be(bytes, segment.offset + 7);
    return width > 0 && height > 0 ? { width, height } : undefined;
  }
  return undefined;
}

function pngDimensions(bytes: Uint8Array): Dimensions | undefined {
  // The PNG spec requires IHDR to be the first chunk: length (4) + "IHDR" + width + height.
  if (ascii(bytes, 12, 4) !== 'IHDR') return undefined;
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function webpDimensions(bytes: Uint8Array): Dimensions | undefined {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8X') {
    // Extended format: 24-bit canvas width - 1 and height - 1 after 4 bytes of flags.
    if (bytes.length < 30) return undefined;
    return { width: u24le(bytes, 24) + 1, height: u24le(bytes, 27) + 1 };
  }
  if (chunk === 'VP8 ') {
    // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
    if (!startsWith(bytes, [0x9d, 0x01, 0x2a], 23) || bytes.length < 30) return undefined;
    return { width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2F, then 14 bits width - 1 and 14 bits height - 1, little-endian.
    if (bytes[20] !== 0x2f || bytes.length < 25) return undefined;
    const bits = u32le(bytes, 21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

/** The size the header declares, read without decoding; undefined when the header is unreadable. */
export function readDimensions(bytes: Uint8Array, type: ImageMimeType): Dimensions | undefined {
  if (type === 'image/jpeg') return jpegDimensions(bytes);
  if (type === 'image/png') return pngDimensions(bytes);
  return webpDimensions(bytes);
}

function pngIsComplete(bytes: Uint8Array): boolean {
  let i = PNG_SIGNATURE.length;
  while (i + 8 <= bytes.length) {
    const length = u32be(bytes, i);
    const end = i + 12 + length; // length + type + data + CRC
    if (end > bytes.length) return false;
    if (ascii(bytes, i + 4, 4) === 'IEND') return true;
    i = end;
  }
  return false;
}

function jpegIsComplete(bytes: Uint8Array): boolean {
  let scanStart = -1;
  for (const segment of jpegSegments(bytes)) {
    if (segment.marker === 0xda) scanStart = segment.end;
  }
  if (scanStart < 0 || scanStart > bytes.length) return false;
  // In entropy-coded data every 0xFF is followed by 0x00 or a marker, so FF D9 after the first
  // scan is the real end of image. Searching (rather than checking the last two bytes) accepts
  // files with data appended after EOI, such as motion photos.
  for (let i = scanStart; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

function webpIsComplete(bytes: Uint8Array): boolean {
  // The RIFF header counts every byte after its first 8.
  return bytes.length >= 12 && 8 + u32le(bytes, 4) <= bytes.length;
}

/** False when the file stops before its format's end (a cut-off download or copy). */
export function isComplete(bytes: Uint8Array, type: ImageMimeType): boolean {
  if (type === 'image/jpeg') return jpegIsComplete(bytes);
  if (type === 'image/png') return pngIsComplete(bytes);
  return webpIsComplete(bytes);
}

/** Why an image of this size is refused, or undefined when it is within the limits. */
export function sizeLimitProblem({ width, height }: Dimensions): string | undefined {
  const size = `${width.toLocaleString('en')} × ${height.toLocaleString('en')} px`;
  const fix = 'downscale it and import it again';
  if (width > MAX_SIDE || height > MAX_SIDE) {
    return `${size} is larger than ${MAX_SIDE.toLocaleString('en')} px on a side; ${fix}`;
  }
  if (width * height > MAX_PIXELS) {
    return `${size} is more than ${MAX_PIXELS / 1_000_000} megapixels; ${fix}`;
  }
  return undefined;
}

/** Lower-case hex, the form the contract's Sha256 schema accepts. */
export function toHex(buffer: ArrayBuffer | Uint8Array): string {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
