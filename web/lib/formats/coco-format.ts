// COCO JSON, as one zip: annotations.json beside an images/ folder. Boxes are `bbox` in pixels
// ([x, y, w, h], top-left); polygons are `segmentation` rings in pixels with their bbox, so a
// polygon comes back as a polygon and never as a box. Categories are numbered from 1, in the
// dataset's class order. A bare annotations JSON (no images) can be read too: its images are then
// reported as missing.
import { strFromU8, strToU8, zipSync, type Zippable } from 'fflate';
import type { Box, Polygon, Task } from '$contract';
import type { ImageLabels } from '$lib/db/database';
import {
  FormatError,
  isImagePath,
  num,
  uniqueNames,
  type ExportInput,
  type ExportResult,
  type ImportPlan,
} from './format-types';
import { unzipChecked, type ZipEntries } from './yolo-format';
import { plural } from '$lib/text/wording';

export const COCO_JSON = 'annotations.json';

interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}
interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox?: number[];
  segmentation?: unknown;
  area?: number;
  iscrowd?: number;
}
interface CocoFile {
  info?: { description?: string; loupe_task?: string };
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: { id: number; name: string; supercategory?: string }[];
}

/** What COCO cannot hold, for the warning shown before export. */
export function cocoWarnings(input: { images: { labels: ImageLabels }[] }): string[] {
  const classified = input.images.filter((i) => i.labels.imageClass !== null).length;
  return classified > 0
    ? [
        `${plural(classified, 'image-level class is', 'image-level classes are')} left out (COCO detection JSON has no image classes; export ImageFolder for those).`,
      ]
    : [];
}

const px = (v: number) => Number(num(v));

/** A polygon's area in square pixels (COCO's `area`). */
function shoelace(p: Polygon, W: number, H: number): number {
  let sum = 0;
  p.points.forEach(([x, y], i) => {
    const [nx, ny] = p.points[(i + 1) % p.points.length]!;
    sum += x * W * (ny * H) - nx * W * (y * H);
  });
  return Math.abs(sum) / 2;
}

export function exportCoco(input: ExportInput): ExportResult {
  const names = uniqueNames(input.images);
  const files: Zippable = {};
  const coco: CocoFile = {
    info: { description: input.name, loupe_task: input.task },
    images: [],
    annotations: [],
    categories: input.classes.map((name, i) => ({ id: i + 1, name, supercategory: '' })),
  };
  input.images.forEach((image, i) => {
    const { width: W, height: H } = image;
    const id = i + 1;
    files[`images/${names[i]!}`] = [image.bytes, { level: 0 }];
    coco.images.push({ id, file_name: names[i]!, width: W, height: H });
    const add = (classIndex: number, bbox: number[], segmentation: number[][], area: number) =>
      coco.annotations.push({
        id: coco.annotations.length + 1,
        image_id: id,
        category_id: classIndex + 1,
        bbox: bbox.map(px),
        segmentation,
        area: px(area),
        iscrowd: 0,
      });
    for (const b of image.labels.boxes) {
      add(b.classIndex, [b.x * W, b.y * H, b.w * W, b.h * H], [], b.w * W * b.h * H);
    }
    for (const p of image.labels.polygons) {
      const xs = p.points.map(([x]) => x * W);
      const ys = p.points.map(([, y]) => y * H);
      const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
      const ring = p.points.flatMap(([x, y]) => [px(x * W), px(y * H)]);
      add(
        p.classIndex,
        [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0],
        [ring],
        shoelace(p, W, H),
      );
    }
  });
  files[COCO_JSON] = strToU8(JSON.stringify(coco));
  const safeName = input.name.replace(/[^\w.-]+/g, '-') || 'dataset';
  return {
    fileName: `${safeName}-coco.zip`,
    bytes: zipSync(files),
    warnings: cocoWarnings(input),
  };
}

function isCocoFile(value: unknown): value is CocoFile {
  const v = value as Partial<CocoFile> | null;
  return (
    !!v &&
    typeof v === 'object' &&
    Array.isArray(v.images) &&
    Array.isArray(v.annotations) &&
    Array.isArray(v.categories)
  );
}

function parseCoco(bytes: Uint8Array, where: string): CocoFile {
  let value: unknown;
  try {
    value = JSON.parse(strFromU8(bytes));
  } catch (error) {
    throw new FormatError(`${where} is not valid JSON (${(error as Error).message}).`);
  }
  if (!isCocoFile(value)) {
    throw new FormatError(
      `${where} is not COCO JSON: it needs images, annotations and categories.`,
    );
  }
  return value;
}

/** True for a zip entry that looks like COCO annotations (a .json at any depth). */
export function findCocoJson(paths: readonly string[]): string | undefined {
  return paths
    .filter((p) => /\.json$/i.test(p))
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
}

const inside = (v: number) => v >= -1e-6 && v <= 1 + 1e-6;
const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** One COCO annotation as labels of our model, or the reason it was skipped. */
function readAnnotation(
  a: CocoAnnotation,
  image: CocoImage,
  classIndex: number,
): { boxes: Box[]; polygons: Polygon[] } | { error: string } {
  const W = image.width;
  const H = image.height;
  const seg = a.segmentation;
  if (Array.isArray(seg) && seg.length > 0) {
    const polygons: Polygon[] = [];
    for (const ring of seg) {
      if (!Array.isArray(ring) || ring.length < 6 || ring.length % 2 !== 0) {
        return { error: 'a segmentation ring needs an even number of values, at least 6' };
      }
      const values = ring.map(Number);
      if (values.some((v) => !Number.isFinite(v))) return { error: 'not all numbers' };
      const points: [number, number][] = [];
      for (let i = 0; i < values.length; i += 2) {
        const x = values[i]! / W;
        const y = values[i + 1]! / H;
        if (!inside(x) || !inside(y)) return { error: 'a vertex lies outside the image' };
        points.push([clamp(x), clamp(y)]);
      }
      polygons.push({ classIndex, points });
    }
    return { boxes: [], polygons };
  }
  if (seg && !Array.isArray(seg)) {
    return { error: 'an RLE mask (crowd); only polygon outlines and boxes are read' };
  }
  const [x = NaN, y = NaN, w = NaN, h = NaN] = (a.bbox ?? []).map(Number);
  if (![x, y, w, h].every(Number.isFinite)) return { error: 'no bbox and no segmentation' };
  if (w <= 0 || h <= 0) return { error: 'the box has no width or height' };
  const box = { x: x / W, y: y / H, w: w / W, h: h / H };
  if (!inside(box.x) || !inside(box.y) || !inside(box.x + box.w) || !inside(box.y + box.h)) {
    return { error: 'the box reaches outside the image' };
  }
  const bx = clamp(box.x);
  const by = clamp(box.y);
  return {
    boxes: [{ classIndex, x: bx, y: by, w: Math.min(box.w, 1 - bx), h: Math.min(box.h, 1 - by) }],
    polygons: [],
  };
}

/** Finds an image's bytes in the zip by its COCO file_name. */
function locate(entries: Record<string, Uint8Array>, fileName: string): string | undefined {
  const candidates = [fileName, `images/${fileName}`];
  const direct = candidates.find((c) => entries[c]);
  if (direct) return direct;
  const base = fileName.split('/').at(-1)!;
  return Object.keys(entries).find((p) => p === base || p.endsWith(`/${base}`));
}

/** Reads a COCO zip (its bytes or its unzipped entries) into an import plan. */
export function importCoco(zip: Uint8Array | ZipEntries): ImportPlan {
  const entries = zip instanceof Uint8Array ? unzipChecked(zip) : zip;
  const jsonPath = findCocoJson(Object.keys(entries));
  if (!jsonPath) throw new FormatError('The zip has no COCO annotations JSON file.');
  return readCoco(parseCoco(entries[jsonPath]!, jsonPath), jsonPath, entries, true);
}

/** Reads a bare COCO JSON file: its labels, with every image reported as missing. */
export function importCocoJson(json: Uint8Array): ImportPlan {
  return readCoco(parseCoco(json, 'The file'), 'The file', {}, false);
}

function readCoco(
  coco: CocoFile,
  jsonPath: string,
  entries: ZipEntries,
  isZip: boolean,
): ImportPlan {
  const categories = [...coco.categories].sort((a, b) => a.id - b.id);
  const classes = categories.map((c) => String(c.name));
  if (classes.length === 0) throw new FormatError(`${jsonPath} lists no categories.`);
  const classOf = new Map(categories.map((c, i) => [c.id, i]));
  const skipped: string[] = [];
  const byImage = new Map<number, CocoAnnotation[]>();
  for (const a of coco.annotations) {
    const list = byImage.get(a.image_id) ?? [];
    list.push(a);
    byImage.set(a.image_id, list);
  }
  const known = new Set(coco.images.map((i) => i.id));
  for (const [id, list] of byImage) {
    if (!known.has(id)) {
      skipped.push(`${plural(list.length, 'annotation')} for image id ${id}, which is not listed`);
    }
  }
  let polygons = 0;
  const images: ImportPlan['images'] = [];
  for (const image of coco.images) {
    const name = String(image.file_name);
    const path = isZip ? locate(entries, name) : undefined;
    if (!path || !isImagePath(path)) {
      skipped.push(
        `${name}: ${isZip ? 'listed in the JSON but not in the zip' : 'no image bytes'}`,
      );
      continue;
    }
    if (!(image.width > 0 && image.height > 0)) {
      skipped.push(`${name}: no width and height in the JSON, so its labels cannot be placed`);
      continue;
    }
    const labels: ImageLabels = { boxes: [], polygons: [], imageClass: null };
    for (const a of byImage.get(image.id) ?? []) {
      const classIndex = classOf.get(a.category_id);
      const at = `${name} annotation ${a.id}`;
      if (classIndex === undefined) {
        skipped.push(`${at}: category ${a.category_id} is not listed`);
        continue;
      }
      const read = readAnnotation(a, image, classIndex);
      if ('error' in read) skipped.push(`${at}: ${read.error}`);
      else {
        labels.boxes.push(...read.boxes);
        labels.polygons.push(...read.polygons);
      }
    }
    polygons += labels.polygons.length;
    images.push({ path, labels, bytes: entries[path] });
  }
  if (isZip && images.length === 0) {
    throw new FormatError('The zip holds none of the images its COCO JSON lists.');
  }
  const stated = coco.info?.loupe_task;
  const task: Task =
    stated === 'segment' || stated === 'detect' ? stated : polygons > 0 ? 'segment' : 'detect';
  return { classes, task, images, skipped };
}
