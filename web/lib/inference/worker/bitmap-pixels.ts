/**
 * ImageBitmap -> RGBA pixels inside the worker. The bitmap is read at full resolution and resized
 * in JS (resize-bilinear.ts) rather than drawn smaller onto the canvas, because the canvas's
 * smoothing is not OpenCV's INTER_LINEAR and Ultralytics parity depends on the resize.
 *
 * One exception: canvases have an area limit (Safari: 16,777,216 pixels), and a 48 MP phone photo
 * is above it. Such a bitmap is first shrunk by the browser to fit, and the caller maps boxes back
 * with `sourceWidth/width`. Boxes on those photos can differ from Ultralytics' by about a pixel.
 */
import type { RgbaImage } from '../resize-bilinear';

/** Safari's canvas area limit; the smallest of the major engines. */
export const MAX_CANVAS_PIXELS = 16_777_216;

export interface BitmapPixels extends RgbaImage {
  /** The bitmap's own size; equals width/height unless it had to be shrunk. */
  sourceWidth: number;
  sourceHeight: number;
}

/** Reads the pixels and closes the bitmap (it was transferred to us; nobody else will). */
export async function bitmapPixels(bitmap: ImageBitmap): Promise<BitmapPixels> {
  const sourceWidth = bitmap.width;
  const sourceHeight = bitmap.height;
  if (sourceWidth === 0 || sourceHeight === 0) {
    bitmap.close();
    throw new Error('the image has no pixels (was the bitmap already closed or transferred?)');
  }
  let readable = bitmap;
  try {
    const area = sourceWidth * sourceHeight;
    if (area > MAX_CANVAS_PIXELS) {
      const shrink = Math.sqrt(MAX_CANVAS_PIXELS / area);
      readable = await createImageBitmap(bitmap, {
        resizeWidth: Math.max(1, Math.floor(sourceWidth * shrink)),
        resizeHeight: Math.max(1, Math.floor(sourceHeight * shrink)),
        resizeQuality: 'high',
      });
    }
    const { width, height } = readable;
    const context = readerFor(width, height);
    context.drawImage(readable, 0, 0);
    const { data } = context.getImageData(0, 0, width, height);
    return { data, width, height, sourceWidth, sourceHeight };
  } finally {
    if (readable !== bitmap) readable.close();
    bitmap.close();
  }
}

let reader: OffscreenCanvasRenderingContext2D | undefined;

/**
 * One canvas for every read, resized only when the frame size changes: live scan reads a frame
 * of the same size many times a second, and a new canvas each time was garbage and setup.
 */
function readerFor(width: number, height: number): OffscreenCanvasRenderingContext2D {
  if (!reader) {
    const context = new OffscreenCanvas(width, height).getContext('2d', {
      willReadFrequently: true,
    });
    if (!context)
      throw new Error('this browser cannot read pixels in a worker (no OffscreenCanvas 2D)');
    reader = context;
  }
  const { canvas } = reader;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  // 'copy': the bitmap replaces what the previous frame left, transparent pixels included.
  reader.globalCompositeOperation = 'copy';
  return reader;
}
