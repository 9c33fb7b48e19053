/**
 * The input of an Ultralytics classify model, as `classify_transforms(imgsz)` builds it in
 * predict: the photo goes to PIL as RGB, torchvision `Resize(imgsz)` scales the shortest side to
 * `imgsz` with PIL's antialiased bilinear filter (the long side is `int(imgsz * long / short)`),
 * `CenterCrop(imgsz)` cuts the middle (offsets rounded half to even, as Python's round), then
 * `ToTensor` (/255, CHW). Not a letterbox: classify models see no padding.
 *
 * PIL's resample (libImaging/Resample.c) is reproduced bit for bit: a triangle filter whose
 * support widens with the shrink factor, coefficients normalised per output pixel then put in
 * 22-bit fixed point, a horizontal pass into 8-bit rows, then a vertical pass.
 */
import { roundHalfEven, type RgbaImage } from './resize-bilinear';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coefficients {
  /** First source index per output index. */
  start: Int32Array;
  /** Taps per output index. */
  count: Int32Array;
  /** `ksize` fixed-point weights per output index. */
  weights: Int32Array;
  ksize: number;
}

/** precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter. */
export function pilCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    // C's (int) truncates toward zero; the values here are > -1, so Math.trunc matches.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      const v = x < xmax && ww !== 0 ? k[x]! / ww : 0;
      weights[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, ksize };
}

function clip8(v: number): number {
  if (v >= ONE * 256) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE);
}

/**
 * PIL `Image.resize((outW, outH), BILINEAR)` of the RGB channels of `image`; answers packed RGB.
 * Sums stay below 2^53, so plain JS numbers hold PIL's 32-bit integer arithmetic exactly.
 */
export function resizePil(image: RgbaImage, outW: number, outH: number): Uint8Array {
  const { data, width: inW, height: inH } = image;
  const needH = outW !== inW;
  const needV = outH !== inH;
  const h = pilCoefficients(inW, outW);
  const v = pilCoefficients(inH, outH);
  // The horizontal pass covers only the source rows the vertical pass reads.
  const yFirst = needV ? v.start[0]! : 0;
  const yLast = needV ? v.start[outH - 1]! + v.count[outH - 1]! : inH;
  const rows = yLast - yFirst;
  const midW = needH ? outW : inW;
  const mid = new Uint8Array(midW * rows * 3);
  for (let y = 0; y < rows; y++) {
    const src = (y + yFirst) * inW * 4;
    for (let x = 0; x < midW; x++) {
      const o = (y * midW + x) * 3;
      if (!needH) {
        mid[o] = data[src + x * 4]!;
        mid[o + 1] = data[src + x * 4 + 1]!;
        mid[o + 2] = data[src + x * 4 + 2]!;
        continue;
      }
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const s0 = h.start[x]!;
      const base = x * h.ksize;
      for (let t = 0; t < h.count[x]!; t++) {
        const w = h.weights[base + t]!;
        const p = src + (s0 + t) * 4;
        r += data[p]! * w;
        g += data[p + 1]! * w;
        b += data[p + 2]! * w;
      }
      mid[o] = clip8(r);
      mid[o + 1] = clip8(g);
      mid[o + 2] = clip8(b);
    }
  }
  if (!needV) return mid;
  const out = new Uint8Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const s0 = v.start[y]! - yFirst;
    const base = y * v.ksize;
    for (let x = 0; x < outW; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let t = 0; t < v.count[y]!; t++) {
        const w = v.weights[base + t]!;
        const p = ((s0 + t) * outW + x) * 3;
        r += mid[p]! * w;
        g += mid[p + 1]! * w;
        b += mid[p + 2]! * w;
      }
      const o = (y * outW + x) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return out;
}

/** torchvision Resize(size) on a PIL image: shortest side to `size`, long side truncated. */
export function shortestSideSize(width: number, height: number, size: number): [number, number] {
  if (width <= height) return [size, Math.trunc((size * height) / width)];
  return [Math.trunc((size * width) / height), size];
}

/** Resize, centre crop to `cropH` x `cropW`, /255 into a [1, 3, cropH, cropW] float32 tensor. */
export function classifyTensor(
  image: RgbaImage,
  cropW: number,
  cropH: number = cropW,
): Float32Array {
  const [rw, rh] = shortestSideSize(image.width, image.height, Math.min(cropW, cropH));
  const rgb = resizePil(image, rw, rh);
  const top = roundHalfEven((rh - cropH) / 2);
  const left = roundHalfEven((rw - cropW) / 2);
  const plane = cropW * cropH;
  const tensor = new Float32Array(3 * plane);
  for (let y = 0; y < cropH; y++) {
    const sy = y + top;
    for (let x = 0; x < cropW; x++) {
      const sx = x + left;
      const o = y * cropW + x;
      // CenterCrop pads with 0 when the crop is larger than the image (a very long strip).
      if (sy < 0 || sy >= rh || sx < 0 || sx >= rw) continue;
      const i = (sy * rw + sx) * 3;
      tensor[o] = rgb[i]! / 255;
      tensor[plane + o] = rgb[i + 1]! / 255;
      tensor[2 * plane + o] = rgb[i + 2]! / 255;
    }
  }
  return tensor;
}

/** The `k` best classes of a softmaxed [1, nc] output, best first (ties: lower index first). */
export function topK(
  scores: Float32Array,
  classNames: readonly string[],
  k: number,
): { classIndex: number; className: string; confidence: number }[] {
  return Array.from(scores, (confidence, classIndex) => ({ classIndex, confidence }))
    .sort((a, b) => b.confidence - a.confidence || a.classIndex - b.classIndex)
    .slice(0, k)
    .map((s) => ({ ...s, className: classNames[s.classIndex] ?? `class ${s.classIndex}` }));
}
