/**
 * Turns RGBA pixels into the tensor an Ultralytics detect/segment model expects, the way
 * `ultralytics.data.augment.LetterBox(new_shape, auto=False, scaleup=True, center=True)` does in
 * predict: keep the aspect ratio, resize with OpenCV's INTER_LINEAR, pad with grey 114 around the
 * centre, then RGB, /255, CHW float32. Matching that arithmetic (including Python's
 * round-half-to-even) is what lets the browser report the same boxes as Ultralytics.
 */
import { resizeBilinear, roundHalfEven, type RgbaImage } from './resize-bilinear';

export type { RgbaImage } from './resize-bilinear';

export const PAD_VALUE = 114;

/** How the letterboxed tensor relates to the source image; postprocess uses it to map boxes back. */
export interface LetterboxTransform {
  /** r = min(target/h, target/w), the ratio Ultralytics resizes by. */
  scale: number;
  /**
   * Per-axis ratios after rounding the resized size to whole pixels. Ultralytics 8.4 maps boxes
   * back with these (ops.scale_boxes), not with `scale`; they differ by under 1/size.
   */
  scaleX: number;
  scaleY: number;
  /** Left and top padding in tensor pixels. */
  padX: number;
  padY: number;
  resizedWidth: number;
  resizedHeight: number;
  targetWidth: number;
  targetHeight: number;
  sourceWidth: number;
  sourceHeight: number;
}

export function letterboxTransform(
  sourceWidth: number,
  sourceHeight: number,
  targetWidth: number,
  targetHeight: number = targetWidth,
): LetterboxTransform {
  if (!(sourceWidth > 0 && sourceHeight > 0)) throw new RangeError('image has no pixels');
  const scale = Math.min(targetHeight / sourceHeight, targetWidth / sourceWidth);
  // Ultralytics keeps each side at least 1 pixel so 1x3000 strips stay valid.
  const resizedWidth = Math.max(roundHalfEven(sourceWidth * scale), 1);
  const resizedHeight = Math.max(roundHalfEven(sourceHeight * scale), 1);
  // round(d/2 - 0.1): an odd leftover pixel goes to the right/bottom, as in LetterBox.
  // `|| 0`: Math.round(-0.1) is -0, which would leak into comparisons and JSON.
  const padX = Math.round((targetWidth - resizedWidth) / 2 - 0.1) || 0;
  const padY = Math.round((targetHeight - resizedHeight) / 2 - 0.1) || 0;
  return {
    scale,
    scaleX: resizedWidth / sourceWidth,
    scaleY: resizedHeight / sourceHeight,
    padX,
    padY,
    resizedWidth,
    resizedHeight,
    targetWidth,
    targetHeight,
    sourceWidth,
    sourceHeight,
  };
}

/** v / 255 as float32, once: torch divides in float32 and so does this table. */
const NORMALISED = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Letterboxes `image` into a [1, 3, targetHeight, targetWidth] float32 tensor (CHW, RGB, 0..1).
 * Cost depends on the output, not the photo: the resize reads 4 source pixels per output pixel
 * (12 MP into 640 took 20-28 ms in Node on a 2-vCPU machine).
 */
export function letterbox(
  image: RgbaImage,
  targetWidth: number,
  targetHeight: number = targetWidth,
): { tensor: Float32Array; transform: LetterboxTransform } {
  const transform = letterboxTransform(image.width, image.height, targetWidth, targetHeight);
  const { resizedWidth: rw, resizedHeight: rh, padX, padY } = transform;
  const plane = targetWidth * targetHeight;
  const tensor = new Float32Array(3 * plane).fill(NORMALISED[PAD_VALUE]!);

  const rgb =
    rw === image.width && rh === image.height
      ? rgbaToRgb(image) // Ultralytics skips cv2.resize when the size already fits
      : resizeBilinear(image, rw, rh);
  for (let y = 0; y < rh; y++) {
    const rowOut = (y + padY) * targetWidth + padX;
    const rowIn = y * rw * 3;
    for (let x = 0; x < rw; x++) {
      const i = rowIn + x * 3;
      const o = rowOut + x;
      tensor[o] = NORMALISED[rgb[i]!]!;
      tensor[plane + o] = NORMALISED[rgb[i + 1]!]!;
      tensor[2 * plane + o] = NORMALISED[rgb[i + 2]!]!;
    }
  }
  return { tensor, transform };
}

function rgbaToRgb({ data, width, height }: RgbaImage): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let p = 0, o = 0; p < width * height * 4; p += 4, o += 3) {
    out[o] = data[p]!;
    out[o + 1] = data[p + 1]!;
    out[o + 2] = data[p + 2]!;
  }
  return out;
}
