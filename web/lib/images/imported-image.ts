// The shapes that cross from the image-import worker to the page and on into web/lib/db.
// Kept in their own module so the database code can import the types without pulling in comlink.

/** The image formats every browser decodes and Ultralytics trains on. */
export type ImageMimeType = 'image/jpeg' | 'image/png' | 'image/webp';

/** A file that was sniffed, measured, decoded and hashed off the main thread. */
export interface ImportedImage {
  /** Lower-case hex SHA-256 of the file's bytes: the image's name everywhere. */
  sha256: string;
  /** The original bytes, typed with the sniffed MIME type (not the file name's guess). */
  blob: Blob;
  fileName: string;
  mimeType: ImageMimeType;
  /** Natural size as displayed, i.e. after the EXIF orientation is applied. */
  width: number;
  height: number;
  bytes: number;
  /** A small JPEG of the image (longest side THUMBNAIL_PX) for the dataset grid. */
  thumbnail?: Blob;
}

/** The longest side of a grid thumbnail, in pixels: sharp at 2x on a 96-px cell. */
export const THUMBNAIL_PX = 192;

/** A file that was not imported, with a reason written for the person who chose it. */
export interface ImportRejection {
  fileName: string;
  reason: string;
}

export type ImportOutcome =
  { ok: true; image: ImportedImage } | { ok: false; rejection: ImportRejection };
