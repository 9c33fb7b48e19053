/**
 * Bilinear resize that reproduces OpenCV's `cv2.resize(..., interpolation=INTER_LINEAR)` on 8-bit
 * images bit for bit, because Ultralytics letterboxes with exactly that call before the model sees
 * a photo. A canvas `drawImage` would be faster but filters differently (Chromium smooths with
 * mipmaps/Lanczos when shrinking), which moves boxes and scores away from what Ultralytics reports
 * for the same photo; a plain float bilinear is close but still off by one grey level in ~1/8 of
 * the pixels.
 *
 * OpenCV's recipe (modules/imgproc/src/resize.cpp, checked against cv2 5.0 in resize-bilinear.spec):
 * - source coordinate of a destination pixel: float32((d + 0.5) * (src / dst) - 0.5), floor, and
 *   the fraction; columns clamp to the edge with fraction 0, rows clamp their two taps;
 * - weights are rounded to 11-bit fixed point (half to even) each on its own;
 * - the horizontal pass keeps 32-bit sums; the vertical pass is the SIMD one:
 *   (((S0 >> 4) * b0) >> 16) + (((S1 >> 4) * b1) >> 16) + 2) >> 2, saturated to 0..255.
 */

const COEF_SCALE = 2048; // 1 << INTER_RESIZE_COEF_BITS

export interface RgbaImage {
  /** Row-major RGBA, 4 bytes per pixel, as ImageData and canvas give it. Alpha is ignored. */
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** Python's and OpenCV's rounding (`round`, `cvRound`): ties go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

interface AxisTaps {
  first: Int32Array;
  second: Int32Array;
  weightFirst: Int32Array;
  weightSecond: Int32Array;
}

/** Source taps and fixed-point weights along one axis, as OpenCV computes them. */
export function axisTaps(dstSize: number, srcSize: number, clampFraction: boolean): AxisTaps {
  const scale = 1 / (dstSize / srcSize); // OpenCV stores inv_scale = dst/src, then inverts it
  const taps: AxisTaps = {
    first: new Int32Array(dstSize),
    second: new Int32Array(dstSize),
    weightFirst: new Int32Array(dstSize),
    weightSecond: new Int32Array(dstSize),
  };
  for (let d = 0; d < dstSize; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    // Columns: OpenCV zeroes the fraction at the edges. Rows: it only clamps the row indices.
    if (clampFraction && s < 0) {
      f = 0;
      s = 0;
    }
    if (clampFraction && s >= srcSize - 1) {
      f = 0;
      s = srcSize - 1;
    }
    taps.first[d] = Math.min(Math.max(s, 0), srcSize - 1);
    taps.second[d] = Math.min(Math.max(s + 1, 0), srcSize - 1);
    taps.weightFirst[d] = roundHalfEven(Math.fround(Math.fround(1 - f) * COEF_SCALE));
    taps.weightSecond[d] = roundHalfEven(Math.fround(f * COEF_SCALE));
  }
  return taps;
}

/** Where the resize writes: three planes, `stride` values per row, the first pixel at `offset`. */
export interface PlanarTarget<T extends Float32Array | Uint8Array> {
  red: T;
  green: T;
  blue: T;
  stride: number;
  offset: number;
  /** Maps a 0..255 channel value to what is stored (the letterbox's v / 255). */
  table: ArrayLike<number>;
}

/**
 * Resizes RGBA to `dstWidth` x `dstHeight` into three planes, each value passed through
 * `target.table`: the letterbox writes its CHW float planes straight from here, with no RGB
 * image in between. Same arithmetic as OpenCV (a row's horizontal sum, then the vertical blend),
 * but each output pixel computes both of its rows' sums on the spot from four source pixels
 * instead of storing every row's sums and reading them back: for a 1280x720 frame into 640 that
 * took 2.2 ms instead of 7.9 (two passes with stored sums) and 9.0 (the interleaved original).
 */
export function resizeBilinearPlanes<T extends Float32Array | Uint8Array>(
  src: RgbaImage,
  dstWidth: number,
  dstHeight: number,
  target: PlanarTarget<T>,
): void {
  const { data, width, height } = src;
  if (data.length < width * height * 4) throw new RangeError('RGBA buffer is smaller than w*h*4');
  const xs = axisTaps(dstWidth, width, true);
  const ys = axisTaps(dstHeight, height, false);
  const offset0 = xs.first.map((x) => x * 4);
  const offset1 = xs.second.map((x) => x * 4);
  const { weightFirst: a0s, weightSecond: a1s } = xs;
  const { red, green, blue, table, stride } = target;
  for (let dy = 0; dy < dstHeight; dy++) {
    const row0 = ys.first[dy]! * width * 4;
    const row1 = ys.second[dy]! * width * 4;
    const b0 = ys.weightFirst[dy]!;
    const b1 = ys.weightSecond[dy]!;
    const o = target.offset + dy * stride;
    for (let d = 0; d < dstWidth; d++) {
      const a0 = a0s[d]!;
      const a1 = a1s[d]!;
      const p00 = row0 + offset0[d]!;
      const p01 = row0 + offset1[d]!;
      const p10 = row1 + offset0[d]!;
      const p11 = row1 + offset1[d]!;
      // OpenCV's vertical pass, (((S0 >> 4) * b0) >> 16) + (((S1 >> 4) * b1) >> 16) + 2) >> 2,
      // saturated (the sums are never negative: only the top needs the clamp). Written out per
      // channel by hand: a loop over channels, or a helper per blend, ran twice as slow in V8.
      let s0 = data[p00]! * a0 + data[p01]! * a1;
      let s1 = data[p10]! * a0 + data[p11]! * a1;
      let v = ((((s0 >> 4) * b0) >> 16) + (((s1 >> 4) * b1) >> 16) + 2) >> 2;
      red[o + d] = table[v > 255 ? 255 : v]!;
      s0 = data[p00 + 1]! * a0 + data[p01 + 1]! * a1;
      s1 = data[p10 + 1]! * a0 + data[p11 + 1]! * a1;
      v = ((((s0 >> 4) * b0) >> 16) + (((s1 >> 4) * b1) >> 16) + 2) >> 2;
      green[o + d] = table[v > 255 ? 255 : v]!;
      s0 = data[p00 + 2]! * a0 + data[p01 + 2]! * a1;
      s1 = data[p10 + 2]! * a0 + data[p11 + 2]! * a1;
      v = ((((s0 >> 4) * b0) >> 16) + (((s1 >> 4) * b1) >> 16) + 2) >> 2;
      blue[o + d] = table[v > 255 ? 255 : v]!;
    }
  }
}

const IDENTITY = Uint8Array.from({ length: 256 }, (_, v) => v);

/** Resizes RGBA to `dstWidth` x `dstHeight`; returns RGB, 3 bytes per pixel, row-major. */
export function resizeBilinear(src: RgbaImage, dstWidth: number, dstHeight: number): Uint8Array {
  const plane = dstWidth * dstHeight;
  const planes = new Uint8Array(3 * plane);
  resizeBilinearPlanes(src, dstWidth, dstHeight, {
    red: planes.subarray(0, plane),
    green: planes.subarray(plane, 2 * plane),
    blue: planes.subarray(2 * plane),
    stride: dstWidth,
    offset: 0,
    table: IDENTITY,
  });
  const out = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[p * 3] = planes[p]!;
    out[p * 3 + 1] = planes[plane + p]!;
    out[p * 3 + 2] = planes[2 * plane + p]!;
  }
  return out;
}

/** Resizes RGBA to `dstWidth` x `dstHeight` as cv2.resize does; returns RGBA (alpha 255). */
export function resizeBilinearRgba(src: RgbaImage, dstWidth: number, dstHeight: number): RgbaImage {
  const rgb = resizeBilinear(src, dstWidth, dstHeight);
  const data = new Uint8Array(dstWidth * dstHeight * 4).fill(255);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    data[q] = rgb[p]!;
    data[q + 1] = rgb[p + 1]!;
    data[q + 2] = rgb[p + 2]!;
  }
  return { data, width: dstWidth, height: dstHeight };
}
