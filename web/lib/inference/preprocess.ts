/**
 * Turns RGBA pixels into the tensor an Ultralytics detect/segment model expects, the way
 * `ultralytics.data.augment.LetterBox(new_shape, auto=False, scaleup=True, center=True)` does in
 * predict: keep the aspect ratio, resize with OpenCV's INTER_LINEAR, pad with grey 114 around the
 * centre, then RGB, /255, CHW float32. Matching that arithmetic (including Python's
 * round-half-to-even) is what lets the browser report the same boxes as Ultralytics.
 *
 * `model.val` prepares a picture differently (mode 'val'), and evaluation must do as it does to
 * give its numbers: its dataloader first resizes the long side to the input size with each side
 * rounded UP (`BaseDataset.load_image`: math.ceil, INTER_LINEAR both ways in 8.4.190, no
 * INTER_AREA), then letterboxes without enlarging (`LetterBox(scaleup=False)`). A 333x250 photo
 * into 96 becomes 96x73 there and 96x72 in predict: other pixels, other boxes.
 */
import {
  resizeBilinearPlanes,
  resizeBilinearRgba,
  roundHalfEven,
  type RgbaImage,
} from './resize-bilinear';

export type { RgbaImage } from './resize-bilinear';

export const PAD_VALUE = 114;

/** As `model.predict` prepares a picture, or as `model.val`'s dataloader does (see above). */
export type LetterboxMode = 'predict' | 'val';

/** How the letterboxed tensor relates to the source image; postprocess uses it to map boxes back. */
export interface LetterboxTransform {
  /** r = min(target/h, target/w), the ratio LetterBox resizes by (in 'val': from the loaded size). */
  scale: number;
  /**
   * Per-axis ratios from source to tensor pixels. Predict: after rounding the resized size to
   * whole pixels, as Ultralytics 8.4 maps boxes back (ops.scale_boxes), not `scale`; they differ
   * by under 1/size. Val: load_image's per-axis ratio times LetterBox's, the validator's ratio_pad.
   */
  scaleX: number;
  scaleY: number;
  /**
   * Predict clips boxes to the image (ops.scale_boxes). The validator matches the boxes NMS gave,
   * in tensor pixels, unclipped: a box reaching into the padding keeps its size there.
   */
  clip: boolean;
  /** The size `model.val`'s load_image resizes to before letterboxing; the source's in predict. */
  loadWidth: number;
  loadHeight: number;
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

/**
 * `BaseDataset.load_image` (rect_mode): the long side to the longest input side, each side
 * math.ceil'd and capped there; a picture already that size is not resized.
 */
export function valLoadSize(
  sourceWidth: number,
  sourceHeight: number,
  targetWidth: number,
  targetHeight: number,
): [number, number] {
  const long = Math.max(targetWidth, targetHeight);
  const r = long / Math.max(sourceWidth, sourceHeight);
  if (r === 1) return [sourceWidth, sourceHeight];
  return [Math.min(Math.ceil(sourceWidth * r), long), Math.min(Math.ceil(sourceHeight * r), long)];
}

export function letterboxTransform(
  sourceWidth: number,
  sourceHeight: number,
  targetWidth: number,
  targetHeight: number = targetWidth,
  mode: LetterboxMode = 'predict',
): LetterboxTransform {
  if (!(sourceWidth > 0 && sourceHeight > 0)) throw new RangeError('image has no pixels');
  const val = mode === 'val';
  const [loadWidth, loadHeight] = val
    ? valLoadSize(sourceWidth, sourceHeight, targetWidth, targetHeight)
    : [sourceWidth, sourceHeight];
  const fit = Math.min(targetHeight / loadHeight, targetWidth / loadWidth);
  // The validator's LetterBox never enlarges (scaleup=False): load_image already sized it.
  const scale = val ? Math.min(fit, 1) : fit;
  // Ultralytics keeps each side at least 1 pixel so 1x3000 strips stay valid.
  const resizedWidth = Math.max(roundHalfEven(loadWidth * scale), 1);
  const resizedHeight = Math.max(roundHalfEven(loadHeight * scale), 1);
  // round(d/2 - 0.1): an odd leftover pixel goes to the right/bottom, as in LetterBox.
  // `|| 0`: Math.round(-0.1) is -0, which would leak into comparisons and JSON.
  const padX = Math.round((targetWidth - resizedWidth) / 2 - 0.1) || 0;
  const padY = Math.round((targetHeight - resizedHeight) / 2 - 0.1) || 0;
  return {
    scale,
    scaleX: val ? (loadWidth * scale) / sourceWidth : resizedWidth / sourceWidth,
    scaleY: val ? (loadHeight * scale) / sourceHeight : resizedHeight / sourceHeight,
    clip: !val,
    loadWidth,
    loadHeight,
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
 * Cost depends on the output, not the photo: the resize reads 4 source pixels per output pixel.
 * The resize writes the three planes itself and only the padding is filled with grey: a
 * 1280x720 frame into 640 took 3.5 ms of CPU in Node, down from 9.0 with an interleaved RGB
 * image in between and the whole tensor filled first (docs/benchmarks.md).
 */
export function letterbox(
  source: RgbaImage,
  targetWidth: number,
  targetHeight: number = targetWidth,
  mode: LetterboxMode = 'predict',
): { tensor: Float32Array; transform: LetterboxTransform } {
  const transform = letterboxTransform(
    source.width,
    source.height,
    targetWidth,
    targetHeight,
    mode,
  );
  const { resizedWidth: rw, resizedHeight: rh, padX, padY, loadWidth, loadHeight } = transform;
  // model.val resizes twice only when both steps change the size (a non-square input); one
  // resize straight to the final size is the same cv2.resize otherwise.
  const twice =
    (loadWidth !== source.width || loadHeight !== source.height) &&
    (rw !== loadWidth || rh !== loadHeight);
  const image = twice ? resizeBilinearRgba(source, loadWidth, loadHeight) : source;
  const plane = targetWidth * targetHeight;
  const tensor = new Float32Array(3 * plane);
  fillPadding(tensor, transform);
  const red = tensor.subarray(0, plane);
  const green = tensor.subarray(plane, 2 * plane);
  const blue = tensor.subarray(2 * plane);
  const table = NORMALISED;
  if (rw === image.width && rh === image.height) {
    // Ultralytics skips cv2.resize when the size already fits.
    const { data } = image;
    for (let y = 0; y < rh; y++) {
      const o = (y + padY) * targetWidth + padX;
      for (let x = 0, p = y * rw * 4; x < rw; x++, p += 4) {
        red[o + x] = table[data[p]!]!;
        green[o + x] = table[data[p + 1]!]!;
        blue[o + x] = table[data[p + 2]!]!;
      }
    }
  } else {
    const offset = padY * targetWidth + padX;
    resizeBilinearPlanes(image, rw, rh, { red, green, blue, stride: targetWidth, offset, table });
  }
  return { tensor, transform };
}

/** Grey 114 around the resized image in all three planes; the image area is written after. */
function fillPadding(tensor: Float32Array, t: LetterboxTransform): void {
  const grey = NORMALISED[PAD_VALUE]!;
  const { targetWidth: w, targetHeight: h, padX, padY, resizedWidth: rw, resizedHeight: rh } = t;
  const plane = w * h;
  const right = w - padX - rw;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    tensor.fill(grey, base, base + padY * w);
    tensor.fill(grey, base + (padY + rh) * w, base + plane);
    if (padX === 0 && right === 0) continue;
    for (let y = padY; y < padY + rh; y++) {
      const row = base + y * w;
      tensor.fill(grey, row, row + padX);
      tensor.fill(grey, row + padX + rw, row + w);
    }
  }
}
