import type SharpModule from 'sharp';
import { AppError } from '../http/app-error';
import { describeError } from '../../web/lib/inference/types';

type Sharp = typeof SharpModule;

/** A decode that takes longer than this is a decompression bomb or a broken file, not a photo. */
const DECODE_SECONDS = 60;

let loading: Promise<Sharp> | undefined;
// libvips keeps decoded images for reuse; a server that checks each image once has no use for it.
const loadSharp = () =>
  (loading ??= import('sharp').then((m) => {
    m.default.cache(false);
    return m.default;
  }));

/**
 * Proves a stored file is an image that decodes, every pixel of it: a JPEG without a frame
 * header, a PNG signature before junk, or a file cut short would otherwise be stored, and only
 * training (or a second server reading this one's bundle) would find out. libvips decodes on
 * libuv's thread pool, off the event loop, in strips (sequential access, no cache), so memory
 * stays bounded; pixels and time are capped. Throws the refusal a user can act on.
 */
export async function proveDecodable(path: string, maxPixels: number, where = 'the image') {
  const sharp = await loadSharp();
  try {
    const image = sharp(path, {
      failOn: 'truncated',
      limitInputPixels: maxPixels,
      sequentialRead: true,
    }).timeout({ seconds: DECODE_SECONDS });
    await image.stats(); // reads every pixel; keeps only per-channel sums
  } catch (error) {
    throw new AppError(
      422,
      'undecodable_image',
      `${where} does not decode: ${describeError(error)}`,
      'The file is damaged or was cut short; export it again from the camera or editor and send that copy. Nothing was stored.',
    );
  }
}
