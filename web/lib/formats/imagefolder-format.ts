// ImageFolder, the classify layout Ultralytics trains from: train/<class>/<image>. Folder names
// are the class names made safe for a path; classes.txt (ignored by Ultralytics) keeps the
// dataset's class order and every class, also those with no image, so a re-import gives the same
// class indices. Without classes.txt the classes are the folder names sorted, as Ultralytics does.
import { strFromU8, strToU8, zipSync, type Zippable } from 'fflate';
import type { ImageLabels } from '$lib/db/database';
import {
  FormatError,
  isImagePath,
  uniqueNames,
  type ExportInput,
  type ExportResult,
  type ImportPlan,
} from './format-types';
import { unzipChecked, type ZipEntries } from './yolo-format';
import { plural } from '$lib/text/wording';

export const CLASSES_TXT = 'classes.txt';
const SPLITS = new Set(['train', 'val', 'valid', 'test']);

/** A class name as a folder name: no slashes, no dot-only names. */
export function folderName(name: string): string {
  const safe = name.replace(/[/\\:*?"<>|]/g, '_').trim();
  return /^\.*$/.test(safe) ? `_${safe}` : safe;
}

export function imageFolderWarnings(input: { images: { labels: ImageLabels }[] }): string[] {
  const count = (f: (l: ImageLabels) => number) =>
    input.images.reduce((n, i) => n + f(i.labels), 0);
  const unclassified = count((l) => (l.imageClass === null ? 1 : 0));
  const shapes = count((l) => l.boxes.length + l.polygons.length);
  const warnings: string[] = [];
  if (unclassified > 0) {
    warnings.push(
      `${plural(unclassified, 'image without an image class is', 'images without an image class are')} left out (ImageFolder files every image under its class).`,
    );
  }
  if (shapes > 0) {
    warnings.push(
      `${plural(shapes, 'box or polygon is', 'boxes and polygons are')} left out (ImageFolder holds image classes only; export YOLO or COCO for those).`,
    );
  }
  return warnings;
}

export function exportImageFolder(input: ExportInput): ExportResult {
  const kept = input.images.filter((i) => i.labels.imageClass !== null);
  const names = uniqueNames(kept);
  const files: Zippable = {};
  kept.forEach((image, i) => {
    const folder = folderName(input.classes[image.labels.imageClass!] ?? 'unknown');
    files[`train/${folder}/${names[i]!}`] = [image.bytes, { level: 0 }];
  });
  files[CLASSES_TXT] = strToU8(input.classes.join('\n') + '\n');
  const safeName = input.name.replace(/[^\w.-]+/g, '-') || 'dataset';
  return {
    fileName: `${safeName}-imagefolder.zip`,
    bytes: zipSync(files),
    warnings: imageFolderWarnings(input),
  };
}

/** The class folder of an image path, or undefined when the path is not <split>/<class>/<file>. */
function classFolder(path: string): string | undefined {
  const parts = path.split('/');
  if (parts.length === 2) return parts[0];
  if (parts.length === 3 && SPLITS.has(parts[0]!.toLowerCase())) return parts[1];
  return undefined;
}

export function importImageFolder(zip: Uint8Array | ZipEntries): ImportPlan {
  const entries = zip instanceof Uint8Array ? unzipChecked(zip) : zip;
  const paths = Object.keys(entries).sort();
  const skipped: string[] = [];
  const listed = entries[CLASSES_TXT]
    ? strFromU8(entries[CLASSES_TXT])
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  const imagePaths: string[] = [];
  for (const path of paths) {
    if (path === CLASSES_TXT) continue;
    if (!isImagePath(path)) {
      skipped.push(`${path}: not a JPEG, PNG or WebP image`);
    } else if (classFolder(path) === undefined) {
      skipped.push(`${path}: not inside a class folder (train/<class>/<image> or <class>/<image>)`);
    } else imagePaths.push(path);
  }
  const folders = [...new Set(imagePaths.map((p) => classFolder(p)!))].sort();
  const classes = [...listed];
  const indexOf = new Map(listed.map((name, i) => [folderName(name), i]));
  for (const folder of folders) {
    if (!indexOf.has(folder)) {
      indexOf.set(folder, classes.length);
      classes.push(folder);
    }
  }
  if (imagePaths.length === 0) {
    throw new FormatError(
      'The zip has no images in class folders (train/<class>/<image>); nothing was imported.',
    );
  }
  const images = imagePaths.map((path) => ({
    path,
    bytes: entries[path],
    labels: { boxes: [], polygons: [], imageClass: indexOf.get(classFolder(path)!)! },
  }));
  return { classes, task: 'classify', images, skipped };
}
