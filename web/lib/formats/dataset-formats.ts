// The export and import formats a dataset page offers, in one list: which to offer first for a
// task, what each cannot hold (said before an export), and which reader a dropped file needs.
import type { Task } from '$contract';
import type { ImageLabels } from '$lib/db/database';
import {
  COCO_JSON,
  cocoWarnings,
  exportCoco,
  findCocoJson,
  importCoco,
  importCocoJson,
} from './coco-format';
import { FormatError, type ExportInput, type ExportResult, type ImportPlan } from './format-types';
import {
  CLASSES_TXT,
  exportImageFolder,
  imageFolderWarnings,
  importImageFolder,
} from './imagefolder-format';
import { exportYolo, importYolo, unzipChecked, yoloWarnings } from './yolo-format';
import { plural } from '$lib/text/wording';

export type FormatId = 'yolo-detect' | 'yolo-segment' | 'coco' | 'imagefolder';

type WarningInput = {
  task: Task;
  classes: string[];
  images: { labels: ImageLabels }[];
  /** How many photos are marked reviewed: no format here holds review marks. */
  reviewed?: number;
};

interface DatasetFormat {
  id: FormatId;
  label: string;
  warnings: (input: WarningInput) => string[];
  write: (input: ExportInput) => ExportResult;
}

const withTask = (task: Task) => (input: ExportInput) => exportYolo({ ...input, task });

export const FORMATS: readonly DatasetFormat[] = [
  {
    id: 'yolo-detect',
    label: 'YOLO detect (.zip)',
    warnings: (i) => yoloWarnings({ ...i, name: '', task: 'detect' }),
    write: withTask('detect'),
  },
  {
    id: 'yolo-segment',
    label: 'YOLO segment (.zip)',
    warnings: (i) => yoloWarnings({ ...i, name: '', task: 'segment' }),
    write: withTask('segment'),
  },
  { id: 'coco', label: 'COCO JSON (.zip with images)', warnings: cocoWarnings, write: exportCoco },
  {
    id: 'imagefolder',
    label: 'ImageFolder (classify, .zip)',
    warnings: imageFolderWarnings,
    write: exportImageFolder,
  },
];

/** The format a dataset of this task exports to unless the user picks another. */
export function defaultFormat(task: Task): FormatId {
  return task === 'classify' ? 'imagefolder' : task === 'segment' ? 'yolo-segment' : 'yolo-detect';
}

export function formatById(id: FormatId): DatasetFormat {
  const format = FORMATS.find((f) => f.id === id);
  if (!format) throw new Error(`unknown format ${id}`);
  return format;
}

/** What the chosen format cannot hold of these labels; empty when it holds everything. */
export function exportWarnings(id: FormatId, input: WarningInput): string[] {
  const warnings = formatById(id).warnings(input);
  if (input.images.length === 0) warnings.unshift('The dataset has no images yet.');
  if (input.reviewed) {
    warnings.push(
      `Review marks are not exported: ${plural(input.reviewed, 'photo is', 'photos are')} marked reviewed, and the mark stays on this device only (no export format holds it).`,
    );
  }
  return warnings;
}

export function exportDataset(id: FormatId, input: ExportInput): ExportResult {
  return formatById(id).write(input);
}

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b;

/**
 * Reads an exported dataset whichever format it is in: a zip with data.yaml is YOLO, one with a
 * COCO JSON is COCO, one with class folders is ImageFolder; a bare .json is COCO without images.
 * Throws FormatError, naming what is wrong, when the file cannot be read at all.
 */
export function readDatasetFile(bytes: Uint8Array): ImportPlan {
  if (bytes.length === 0) throw new FormatError('The file is empty; nothing was imported.');
  if (!isZip(bytes)) {
    if (bytes[0] === 0x7b) return importCocoJson(bytes); // '{': a bare JSON file
    throw new FormatError(
      'This file is not a zip (nor COCO JSON), so nothing was imported; export the dataset as a .zip and import that.',
    );
  }
  const entries = unzipChecked(bytes);
  const paths = Object.keys(entries);
  if (paths.some((p) => /(^|\/)[^/]*\.ya?ml$/i.test(p))) return importYolo(entries);
  if (paths.includes(COCO_JSON) || findCocoJson(paths)) return importCoco(entries);
  if (paths.includes(CLASSES_TXT) || paths.some((p) => /\.(jpe?g|png|webp)$/i.test(p))) {
    return importImageFolder(entries);
  }
  throw new FormatError(
    'The zip is not a dataset this app reads: it has no data.yaml (YOLO), no COCO JSON and no ' +
      'class folders of images (ImageFolder). Nothing was imported.',
  );
}
