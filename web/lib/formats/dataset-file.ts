// A dataset file, from the page's side: exporting a stored dataset to a format's zip, and
// importing a zip (or COCO JSON) as a new dataset or into an existing one. Zipping and unzipping
// run in the dataset-file worker (dataset-zip.ts); an import is read and checked in full, and
// every image is hashed and decoded by the image-import worker, before one transaction stores it
// all; a file that cannot be read stores nothing.
import {
  addImportToDataset,
  createDatasetFromImport,
  readDatasetContents,
  type ImportedDatasetImage,
} from '$lib/db/dataset-transfer';
import { importImageFiles } from '$lib/images/image-import';
import type { FormatId } from './dataset-formats';
import { inZipWorker, type ZipJobOptions, type ZipProgress } from './dataset-zip';
import { FormatError, type ExportResult } from './format-types';

export type { ZipProgress } from './dataset-zip';

/** Reads the dataset and packs its zip in the worker, with progress and cancel. */
export async function exportDatasetFile(
  datasetId: string,
  format: FormatId,
  options: ZipJobOptions = {},
): Promise<ExportResult> {
  const contents = await readDatasetContents(datasetId);
  return inZipWorker((api, report) => api.exportZip(format, contents, report), options);
}

/** Hands the browser a file to save. */
export function download(result: Pick<ExportResult, 'fileName' | 'bytes'>): void {
  const url = URL.createObjectURL(
    new Blob([result.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = result.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export interface DatasetFileImport {
  datasetId: string;
  name: string;
  added: number;
  /** Everything left out, each with its reason. */
  skipped: string[];
  /** Labels whose numbers were changed (only what Ultralytics would refuse), each with why. */
  changed: string[];
  /** Into an existing dataset: images it already held (same SHA-256), skipped. */
  duplicates?: number;
  /** Into an existing dataset: the file's classes it lacked, added to it. */
  newClasses?: string[];
}

export interface DatasetFileImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ZipProgress | { phase: 'images'; done: number; total: number }) => void;
  /** Add to this dataset (classes matched by name) instead of creating a new one. */
  into?: { id: string; name: string };
}

/** The dataset name an imported file gets: its file name without the extension. */
export function nameFromFile(fileName: string): string {
  return (
    fileName
      .replace(/\.(zip|json)$/i, '')
      .trim()
      .slice(0, 120) || 'Imported dataset'
  );
}

export async function importDatasetFile(
  file: File,
  options: DatasetFileImportOptions = {},
): Promise<DatasetFileImport> {
  const { signal, onProgress, into } = options;
  const plan = await inZipWorker((api, report) => api.readFile(file, report), options);
  const withBytes = plan.images.filter((i) => i.blob);
  if (withBytes.length === 0) {
    throw new FormatError(
      'The file holds labels but no images (a bare COCO JSON); export it as a zip with its ' +
        'images and import that. Nothing was imported.',
    );
  }
  // Unique names (a repeated base name keeps its folders), so each outcome of the worker, which
  // keeps the files' order, is matched back to its file without doubt.
  const bases = withBytes.map((i) => i.path.split('/').at(-1) ?? i.path);
  const names = withBytes.map((i, k) =>
    bases.indexOf(bases[k]!) === bases.lastIndexOf(bases[k]!)
      ? bases[k]!
      : i.path.replaceAll('/', '-'),
  );
  const files = withBytes.map((i, k) => {
    const ext = i.path.split('.').at(-1)?.toLowerCase() ?? '';
    return new File([i.blob!], names[k]!, { type: MIME[ext] ?? '' });
  });
  const decoded = await importImageFiles(files, {
    signal,
    onProgress: (p) => onProgress?.({ phase: 'images', ...p }),
  });
  const skipped = [...plan.skipped];
  const pairs: ImportedDatasetImage[] = [];
  let nextImage = 0;
  let nextRejection = 0;
  files.forEach((f, k) => {
    const image = decoded.images[nextImage];
    if (image?.fileName === f.name) {
      nextImage++;
      pairs.push({ image, labels: withBytes[k]!.labels });
      return;
    }
    const rejection = decoded.rejected[nextRejection++];
    skipped.push(
      `${withBytes[k]!.path}: ${rejection?.reason ?? 'not read'}; nothing of it was imported`,
    );
  });
  if (into) {
    const merged = await addImportToDataset(into.id, plan.classes, pairs);
    return {
      datasetId: into.id,
      name: into.name,
      added: merged.added,
      skipped: [...skipped, ...merged.skipped],
      changed: plan.changed ?? [],
      duplicates: merged.duplicates,
      newClasses: merged.newClasses,
    };
  }
  const name = nameFromFile(file.name);
  const stored = await createDatasetFromImport(name, plan.classes, plan.task, pairs);
  return {
    datasetId: stored.dataset.id,
    name: stored.dataset.name,
    added: stored.added,
    skipped: [...skipped, ...stored.skipped],
    changed: plan.changed ?? [],
  };
}
