// The image-import worker: reading, hashing and decoding happen here so that importing a few
// hundred photos never blocks the page. Only worker-safe globals are used (no window, no DOM).
import { expose } from 'comlink';
import type { Dimensions } from './image-header';
import { importFile } from './import-file';

/** Proves the image decodes and gives its size as displayed (EXIF orientation applied). */
async function decodeWithImageBitmap(blob: Blob): Promise<Dimensions> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    return { width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close(); // release the decoded pixels now rather than at the next GC
  }
}

const api = {
  importFile: (file: File) => importFile(file, decodeWithImageBitmap),
};

export type ImageImportApi = typeof api;

expose(api);
