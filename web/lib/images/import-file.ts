// Turns one user-chosen file into an ImportedImage or a rejection the user can act on. Runs in
// the image-import worker; the decoder is passed in so Node tests can supply their own (Node has
// no createImageBitmap). Uses only globals that exist in workers and Node: Blob, crypto.subtle.
import {
  isComplete,
  isHeic,
  readDimensions,
  sizeLimitProblem,
  sniffImageType,
  toHex,
  type Dimensions,
} from './image-header';
import type { ImportOutcome } from './imported-image';

/** Hashing needs the whole file in memory; beyond this a phone tab risks being killed. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;

/**
 * Decodes the image and reports its displayed size, with a small thumbnail for the dataset grid
 * where the decoder can make one; rejects when the image cannot be decoded.
 */
export type Decoder = (blob: Blob) => Promise<Dimensions & { thumbnail?: Blob }>;

/** Enough bytes for every signature sniffImageType and isHeic look at. */
const SNIFF_BYTES = 32;

/** Why a file was refused, worded for the person who chose it: what is wrong, what to do. */
const REASONS = {
  empty: 'the file is empty',
  unreadable: 'the file could not be read; check that it still exists and try again',
  heic:
    'a HEIC photo, which browsers cannot decode; export it as JPEG (on iPhone: Settings > ' +
    'Camera > Formats > Most Compatible) and import it again',
  notAnImage:
    'not a JPEG, PNG or WebP image; convert it to one of those formats and import it again',
  badHeader: 'its header is damaged, so its size cannot be read; re-export it and import it again',
  truncated: 'the file is cut short (it ends before the image does); copy it again from its source',
  undecodable: 'the image data is damaged and cannot be decoded; re-export it and import it again',
  tooManyBytes: (mb: number) =>
    `the file is ${mb} MB, over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit; ` +
    'export a smaller JPEG and import it again',
};

function reject(fileName: string, reason: string): ImportOutcome {
  return { ok: false, rejection: { fileName, reason } };
}

async function readBytes(blob: Blob): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch {
    return undefined; // NotReadableError: the file was moved, deleted or its permission revoked
  }
}

export async function importFile(file: File, decode: Decoder): Promise<ImportOutcome> {
  const fileName = file.name;
  if (file.size === 0) return reject(fileName, REASONS.empty);
  if (file.size > MAX_FILE_BYTES) {
    return reject(fileName, REASONS.tooManyBytes(Math.round(file.size / 1024 / 1024)));
  }

  const head = await readBytes(file.slice(0, SNIFF_BYTES));
  if (!head) return reject(fileName, REASONS.unreadable);
  const mimeType = sniffImageType(head);
  if (!mimeType) return reject(fileName, isHeic(head) ? REASONS.heic : REASONS.notAnImage);

  // Header checks on the bytes before anything decodes them, so a decompression bomb or a
  // cut-off file never reaches the decoder.
  const bytes = await readBytes(file);
  if (!bytes) return reject(fileName, REASONS.unreadable);
  const declared = readDimensions(bytes, mimeType);
  if (!declared) return reject(fileName, REASONS.badHeader);
  const tooLarge = sizeLimitProblem(declared);
  if (tooLarge) return reject(fileName, tooLarge);
  if (!isComplete(bytes, mimeType)) return reject(fileName, REASONS.truncated);

  // The blob carries the sniffed type, so a PNG named .jpg is stored and served as a PNG.
  // slice() shares the file's bytes rather than copying them.
  const blob = file.slice(0, file.size, mimeType);
  const [digest, decoded] = await Promise.all([
    crypto.subtle.digest('SHA-256', bytes),
    decode(blob).catch(() => undefined),
  ]);
  if (!decoded) return reject(fileName, REASONS.undecodable);

  return {
    ok: true,
    image: {
      sha256: toHex(digest),
      blob,
      fileName,
      mimeType,
      // The decoded size, not the header's: it has the EXIF rotation applied, as displayed.
      width: decoded.width,
      height: decoded.height,
      bytes: file.size,
      ...(decoded.thumbnail ? { thumbnail: decoded.thumbnail } : {}),
    },
  };
}
