// The image-import worker: reading, hashing and decoding happen here so that importing a few
// hundred photos never blocks the page. Only worker-safe globals are used (no window, no DOM).
import { expose } from 'comlink';
import type { Dimensions } from './image-header';
import { importFile } from './import-file';
import { THUMBNAIL_PX } from './imported-image';

/**
 * Proves the image decodes and gives its size as displayed (EXIF orientation applied), with a
 * grid thumbnail drawn from the decoded pixels, so the grid never decodes a full photo.
 */
async function decodeWithImageBitmap(blob: Blob): Promise<Dimensions & { thumbnail?: Blob }> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    return {
      width: bitmap.width,
      height: bitmap.height,
      thumbnail: await thumbnailOf(bitmap).catch(() => undefined),
    };
  } finally {
    bitmap.close(); // release the decoded pixels now rather than at the next GC
  }
}

/** A JPEG of the image with its longest side THUMBNAIL_PX; none where OffscreenCanvas is absent. */
async function thumbnailOf(bitmap: ImageBitmap): Promise<Blob | undefined> {
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  const scale = Math.min(1, THUMBNAIL_PX / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const context = canvas.getContext('2d');
  if (!context) return undefined;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, w, h);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
}

/** A grid thumbnail for an image stored without one (pulled, or stored before thumbnails). */
async function makeThumbnail(blob: Blob): Promise<Blob | undefined> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    return await thumbnailOf(bitmap);
  } finally {
    bitmap.close();
  }
}

const api = {
  importFile: (file: File) => importFile(file, decodeWithImageBitmap),
  makeThumbnail,
};

export type ImageImportApi = typeof api;

expose(api);
