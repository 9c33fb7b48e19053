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

/** Resizes RGBA to `dstWidth` x `dstHeight`; returns RGB, 3 bytes per pixel, row-major. */
export function resizeBilinear(src: RgbaImage, dstWidth: number, dstHeight: number): Uint8Array {
  const { data, width, height } = src;
  if (data.length < width * height * 4) throw new RangeError('RGBA buffer is smaller than w*h*4');
  const xs = axisTaps(dstWidth, width, true);
  const ys = axisTaps(dstHeight, height, false);
  const out = new Uint8Array(dstWidth * dstHeight * 3);

  // Horizontal sums for one source row. Two slots, least recently used goes first, never the one
  // holding the other tap of the current output row: neighbouring output rows share source rows.
  type Slot = { row: number; used: number; sums: Int32Array };
  const slots: [Slot, Slot] = [
    { row: -1, used: 0, sums: new Int32Array(dstWidth * 3) },
    { row: -1, used: 0, sums: new Int32Array(dstWidth * 3) },
  ];
  let clock = 0;
  const horizontal = (row: number, keep?: Int32Array): Int32Array => {
    clock++;
    for (const cached of slots) {
      if (cached.row === row) {
        cached.used = clock;
        return cached.sums;
      }
    }
    const [s0, s1] = slots;
    const slot = s1.sums === keep || (s0.sums !== keep && s0.used <= s1.used) ? s0 : s1;
    slot.row = row;
    slot.used = clock;
    const base = row * width * 4;
    for (let d = 0; d < dstWidth; d++) {
      const p0 = base + xs.first[d]! * 4;
      const p1 = base + xs.second[d]! * 4;
      const a0 = xs.weightFirst[d]!;
      const a1 = xs.weightSecond[d]!;
      for (let c = 0; c < 3; c++) slot.sums[d * 3 + c] = data[p0 + c]! * a0 + data[p1 + c]! * a1;
    }
    return slot.sums;
  };

  for (let dy = 0; dy < dstHeight; dy++) {
    const row0 = horizontal(ys.first[dy]!);
    const row1 = horizontal(ys.second[dy]!, row0);
    const b0 = ys.weightFirst[dy]!;
    const b1 = ys.weightSecond[dy]!;
    const outBase = dy * dstWidth * 3;
    for (let i = 0; i < dstWidth * 3; i++) {
      const v = ((((row0[i]! >> 4) * b0) >> 16) + (((row1[i]! >> 4) * b1) >> 16) + 2) >> 2;
      out[outBase + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
