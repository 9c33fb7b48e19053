// YOLO detect and segment zips, the layout Ultralytics trains from:
//   data.yaml                         path, train, val, names
//   images/train/<name>.jpg
//   labels/train/<name>.txt           detect:  class cx cy w h        (normalised)
//                                     segment: class x1 y1 x2 y2 ...  (normalised, >= 3 points)
// An image with no labels gets no label file (Ultralytics reads that as background); an image
// with labels never gets an empty one.
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { Box, Polygon } from '$contract';
import type { ImageLabels } from '$lib/db/database';
import { boxToPolygon, polygonToBox } from '$lib/db/image-labels';
import { parseDataYaml, writeDataYaml } from './data-yaml';
import { fitBox, fitPolygon } from './ultralytics-labels';
import {
  exactDecimal,
  FormatError,
  isImagePath,
  stem,
  uniqueNames,
  type ExportInput,
  type ExportResult,
  type ImportPlan,
} from './format-types';
import { plural } from '$lib/text/wording';

/** Zip entries and total unpacked size beyond which an archive is refused (zip bombs). */
const MAX_ENTRIES = 200_000;
const MAX_UNPACKED = 4 * 1024 ** 3;

/** What a YOLO zip of this task cannot hold, for the warning shown before export. */
export function yoloWarnings(
  input: Omit<ExportInput, 'images'> & { images: { labels: ImageLabels }[] },
): string[] {
  const count = (f: (l: ImageLabels) => number) =>
    input.images.reduce((n, i) => n + f(i.labels), 0);
  const polygons = count((l) => l.polygons.length);
  const boxes = count((l) => l.boxes.length);
  const classified = count((l) => (l.imageClass === null ? 0 : 1));
  const warnings: string[] = [];
  if (input.task !== 'segment' && polygons > 0) {
    warnings.push(
      `${plural(polygons, 'polygon is', 'polygons are')} written as their bounding boxes (YOLO detect holds boxes only).`,
    );
  }
  if (input.task === 'segment' && boxes > 0) {
    warnings.push(
      `${plural(boxes, 'box is', 'boxes are')} written as 4-corner polygons (YOLO segment holds polygons only).`,
    );
  }
  if (classified > 0) {
    warnings.push(
      `${plural(classified, 'image-level class is', 'image-level classes are')} left out (YOLO ${input.task === 'segment' ? 'segment' : 'detect'} has no image classes; export ImageFolder for those).`,
    );
  }
  return warnings;
}

// Labels are written with the numbers they hold (not rounded), so what was imported exports
// as it came and trains elsewhere as it does here.
function boxLine(b: Box): string {
  const cx = exactDecimal(b.x + b.w / 2, b.x);
  const cy = exactDecimal(b.y + b.h / 2, b.y);
  return [b.classIndex, cx, cy, exactDecimal(b.w), exactDecimal(b.h)].join(' ');
}

function polygonLine(p: Polygon): string {
  const coordinates = p.points.flatMap(([x, y]) => [exactDecimal(x), exactDecimal(y)]);
  return [String(p.classIndex), ...coordinates].join(' ');
}

export function exportYolo(input: ExportInput): ExportResult {
  const segment = input.task === 'segment';
  const names = uniqueNames(input.images);
  const files: Zippable = {};
  input.images.forEach((image, i) => {
    const name = names[i]!;
    files[`images/train/${name}`] = [image.bytes, { level: 0 }]; // photos are compressed already
    const { boxes, polygons } = image.labels;
    const lines = segment
      ? [...polygons, ...boxes.map(boxToPolygon)].map(polygonLine)
      : [...boxes, ...polygons.map(polygonToBox)].map(boxLine);
    if (lines.length > 0)
      files[`labels/train/${stem(name)}.txt`] = strToU8(lines.join('\n') + '\n');
  });
  files['data.yaml'] = strToU8(
    writeDataYaml(input.classes, { path: '.', train: 'images/train', val: 'images/train' }),
  );
  const safeName = input.name.replace(/[^\w.-]+/g, '-') || 'dataset';
  return {
    fileName: `${safeName}-yolo-${segment ? 'segment' : 'detect'}.zip`,
    bytes: zipSync(files),
    warnings: yoloWarnings(input),
  };
}

/** A zip's files by path, as unzipChecked gives them. */
export type ZipEntries = Record<string, Uint8Array>;

/** Unzips with limits on entry count and unpacked size, refusing paths that climb out. */
export function unzipChecked(zip: Uint8Array): ZipEntries {
  let entries = 0;
  let total = 0;
  try {
    return unzipSync(zip, {
      filter: (file) => {
        entries++;
        total += file.originalSize;
        if (entries > MAX_ENTRIES || total > MAX_UNPACKED) {
          throw new FormatError(
            `The zip unpacks to more than ${MAX_ENTRIES} files or 4 GiB; split it into smaller zips.`,
          );
        }
        if (file.name.split('/').includes('..') || file.name.startsWith('/')) {
          throw new FormatError(
            `The zip holds a path outside its folder ("${file.name}"); nothing was imported.`,
          );
        }
        return (
          !file.name.endsWith('/') && !file.name.split('/').some((p) => p.startsWith('__MACOSX'))
        );
      },
    });
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(
      `This file is not a readable zip (${(error as Error).message}); nothing was imported.`,
    );
  }
}

type ParsedLine =
  { box: Box; clipped?: true } | { polygon: Polygon; clipped?: true } | { error: string };

const PAST_THE_EDGE =
  'reaches further past the image edge than Ultralytics accepts (1% of the image)';

/**
 * Parses one label line, or says why it was skipped. Numbers are kept exactly as given, also past
 * the image edge, wherever Ultralytics trains on them; a label it would refuse is clipped to the
 * image (`clipped`, for the report) or, with nothing inside, skipped.
 */
function parseLine(line: string, classCount: number): ParsedLine {
  const values = line.trim().split(/\s+/).map(Number);
  const [cls = NaN, ...coords] = values;
  if (values.some((v) => !Number.isFinite(v))) return { error: 'not all numbers' };
  if (!Number.isInteger(cls) || cls < 0 || cls >= classCount) {
    return {
      error: `class ${cls} is out of range (data.yaml names ${classCount} classes, 0 to ${classCount - 1})`,
    };
  }
  if (coords.length === 4) {
    const [cx = 0, cy = 0, w = 0, h = 0] = coords;
    if (w <= 0 || h <= 0) return { error: 'the box has no width or height' };
    const fitted = fitBox(cls, cx, cy, w, h);
    if ('kept' in fitted) return { box: fitted.kept };
    if ('clipped' in fitted) return { box: fitted.clipped, clipped: true };
    return { error: `the box ${PAST_THE_EDGE}, and nothing of it is inside the image` };
  }
  if (coords.length >= 6 && coords.length % 2 === 0) {
    const points: [number, number][] = [];
    for (let i = 0; i < coords.length; i += 2) points.push([coords[i]!, coords[i + 1]!]);
    const fitted = fitPolygon({ classIndex: cls, points });
    if ('kept' in fitted) return { polygon: fitted.kept };
    if ('clipped' in fitted) return { polygon: fitted.clipped, clipped: true };
    return { error: `the outline ${PAST_THE_EDGE}, and nothing of it is inside the image` };
  }
  return { error: `${coords.length} coordinates (a box has 4, a polygon an even number from 6)` };
}

/**
 * Reads a YOLO zip into an import plan: every image with its labels, and every label line or file
 * that was skipped with the reason. Throws FormatError only when nothing usable is there.
 */
export function importYolo(zip: Uint8Array | ZipEntries): ImportPlan {
  const entries = zip instanceof Uint8Array ? unzipChecked(zip) : zip;
  const paths = Object.keys(entries);
  const yamlPath = paths
    .filter((p) => /(^|\/)[^/]*\.ya?ml$/i.test(p))
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (!yamlPath)
    throw new FormatError('The zip has no data.yaml, so its class names are unknown; add one.');
  const { names } = parseDataYaml(strFromU8(entries[yamlPath]!));

  // Ultralytics finds an image's labels by replacing /images/ with /labels/ and the extension.
  const labelPathOf = (imagePath: string) =>
    imagePath.replace(/(^|\/)images\//, '$1labels/').replace(/\.[^./]+$/, '.txt');
  const imagePaths = paths.filter((p) => isImagePath(p) && /(^|\/)images\//.test(p)).sort();
  const unsupported = paths.filter((p) => /(^|\/)images\//.test(p) && !isImagePath(p));
  const skipped: string[] = unsupported.map(
    (p) =>
      `${p}: not a JPEG, PNG or WebP image (${p.split('.').at(-1)?.toUpperCase() ?? 'no extension'})`,
  );
  const labelled = new Set(imagePaths.map(labelPathOf));
  const orphanLabels = paths.filter((p) => /(^|\/)labels\/.*\.txt$/.test(p) && !labelled.has(p));
  for (const p of orphanLabels) skipped.push(`${p}: labels for an image that is not in the zip`);

  const changed: string[] = [];
  let polygons = 0;
  let boxes = 0;
  const images = imagePaths.map((path) => {
    const labels: ImageLabels = { boxes: [], polygons: [], imageClass: null };
    const text = entries[labelPathOf(path)];
    if (text) {
      strFromU8(text)
        .split(/\r?\n/)
        .forEach((line, i) => {
          if (!line.trim()) return;
          const parsed = parseLine(line, names.length);
          const where = `${labelPathOf(path)} line ${i + 1}`;
          if ('error' in parsed) {
            skipped.push(`${where}: ${parsed.error}`);
            return;
          }
          if ('box' in parsed) labels.boxes.push(parsed.box);
          else labels.polygons.push(parsed.polygon);
          if (parsed.clipped) {
            const what = 'box' in parsed ? 'the box' : 'the outline';
            changed.push(`${where}: ${what} ${PAST_THE_EDGE}; clipped to the image`);
          }
        });
    }
    boxes += labels.boxes.length;
    polygons += labels.polygons.length;
    return { path, labels, bytes: entries[path] };
  });
  if (images.length === 0) {
    throw new FormatError('The zip has no images under an images/ folder (JPEG, PNG or WebP).');
  }
  const task = polygons > boxes ? 'segment' : 'detect';
  return { classes: names, task, images, skipped, changed };
}
