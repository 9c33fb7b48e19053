// What the exporters take and the importers give back. The formats work on file bytes and labels
// only; reading the database and hashing the images (the import worker) happen around them, so
// an import is fully parsed and checked before anything is stored.
import type { Task } from '$contract';
import type { ImageLabels } from '$lib/db/database';

export interface ExportImage {
  fileName: string;
  sha256: string;
  width: number;
  height: number;
  labels: ImageLabels;
  bytes: Uint8Array;
}

export interface ExportInput {
  name: string;
  task: Task;
  classes: string[];
  images: ExportImage[];
}

export interface ExportResult {
  fileName: string;
  bytes: Uint8Array;
  /** What the format could not hold, said before (or as) the file is written. */
  warnings: string[];
}

export interface ImportedLabels {
  /** Path of the image inside the archive (or the COCO file_name). */
  path: string;
  labels: ImageLabels;
}

export interface ImportPlan {
  classes: string[];
  task: Task;
  /** Images with their bytes, when the archive carries them (not for COCO JSON alone). */
  images: (ImportedLabels & { bytes?: Uint8Array })[];
  /** Each line or file that was left out, and why. */
  skipped: string[];
  /**
   * Each label whose numbers were changed, and why: only what Ultralytics would refuse is (a box
   * too far past the image edge is clipped to it); every other label is kept exactly as given.
   */
  changed?: string[];
}

/** The import could not be read at all; nothing was stored. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp)$/i;
export const isImagePath = (path: string) => IMAGE_EXTENSIONS.test(path);

/** The base name with its extension removed. */
export function stem(path: string): string {
  const base = path.split('/').at(-1) ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** File names that stay unique in one folder: a repeat gets the start of its hash. */
export function uniqueNames(images: readonly { fileName: string; sha256: string }[]): string[] {
  const seen = new Set<string>();
  return images.map(({ fileName, sha256 }) => {
    const base = (fileName.split('/').at(-1) ?? fileName).replace(/[^\w.\- ]/g, '_') || sha256;
    let name = base;
    if (seen.has(name.toLowerCase()) || seen.has(stem(name).toLowerCase() + '.stem')) {
      name = `${stem(base)}-${sha256.slice(0, 8)}${base.slice(stem(base).length)}`;
    }
    seen.add(name.toLowerCase());
    seen.add(stem(name).toLowerCase() + '.stem');
    return name;
  });
}

/** The gap from a double to the next one away from zero (Python's math.ulp). */
function ulp(value: number): number {
  const v = Math.abs(value);
  const next = new Float64Array([v]);
  const bits = new BigInt64Array(next.buffer);
  bits[0] = bits[0]! + 1n;
  return next[0]! - v;
}

/**
 * A label's number as the shortest decimal within the rounding of how it was computed, so a
 * user's 0.9500005 is written 0.9500005, not 0.950001 or 0.95000050000000001. `corner`: the
 * stored corner a box centre was computed from (corner + size / 2, a rounding of each); the
 * shortest decimal in so narrow a window is the one the user wrote (the runner writes its label
 * files the same way: gpu-runner/loupe_runner/yolo_labels.py).
 */
export function exactDecimal(value: number, corner?: number): string {
  const slack = corner === undefined ? 0 : ulp(corner) + ulp(value);
  for (let digits = 1; digits < 17; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.abs(Number(text) - value) <= slack) return text;
  }
  return String(value);
}

/** Six significant decimals: what Ultralytics writes, and below a pixel on a 20,000-px image. */
export function num(value: number): string {
  return String(Number(value.toFixed(6)));
}
