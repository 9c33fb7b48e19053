/**
 * Image bytes -> RGBA pixels for the pure pipeline, as the browser's worker gets them from
 * `createImageBitmap(blob, { imageOrientation: 'from-image', colorSpaceConversion: 'none' })`:
 * EXIF orientation applied, colours as stored (ICC profiles ignored, as OpenCV does), 8 bits per
 * channel. The format is told by the bytes, never by a name or a content type.
 */
import { AppError } from '../http/app-error';
import { sniffImageType } from '../services/media-type';
import type { SourcePixels } from '../../web/lib/inference/pixel-pipeline';
import { describeError } from '../../web/lib/inference/types';
import type { Sharp } from './predict-engine';

/** A 48 MP phone photo fits; its RGBA alone is 190 MB, so far larger images are refused. */
export const MAX_PREDICT_PIXELS = 50_000_000;

export interface PredictImage {
  bytes: Uint8Array;
  /** Names the image in errors: `image 2 ("b.jpg")`. */
  label: string;
}

const TRUNCATED = /premature end|truncat|unexpected end|end of (file|stream|data)|short read/i;

export async function decodeImage(sharp: Sharp, image: PredictImage): Promise<SourcePixels> {
  if (!sniffImageType(image.bytes)) {
    throw new AppError(
      415,
      'not_an_image',
      `${image.label} is not a JPEG, PNG or WebP image`,
      'Send the photo itself (JPEG, PNG or WebP), not a file of another kind.',
    );
  }
  try {
    const { data, info } = await sharp(image.bytes, {
      failOn: 'error',
      autoOrient: true,
      ignoreIcc: true,
      limitInputPixels: MAX_PREDICT_PIXELS,
    })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels, not RGBA`);
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { data: pixels, width: info.width, height: info.height };
  } catch (error) {
    // libvips repeats its message once per line; the first says it.
    throw decodeError(image.label, describeError(error).split('\n')[0]!.trim());
  }
}

function decodeError(label: string, reason: string): AppError {
  if (/pixel limit/i.test(reason)) {
    return new AppError(
      413,
      'too_many_pixels',
      `${label} has more than ${MAX_PREDICT_PIXELS} pixels`,
      'Resize the photo before sending it.',
    );
  }
  const truncated = TRUNCATED.test(reason);
  return new AppError(
    400,
    truncated ? 'truncated_image' : 'corrupt_image',
    `${label} could not be decoded: it is ${truncated ? 'truncated' : 'corrupt or cut short'} (${reason})`,
    truncated
      ? 'The file was cut short on the way or on disk; send the whole file again.'
      : 'Open the file in an image viewer; if it does not show there either, use another copy.',
  );
}
