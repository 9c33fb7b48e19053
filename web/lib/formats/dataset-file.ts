// A dataset file, from the page's side: exporting a stored dataset to a format's zip, and
// importing a zip (or COCO JSON) as a new dataset. An import is read and checked in full, and
// every image is hashed and decoded by the image-import worker, before one transaction stores it
// all; a file that cannot be read stores nothing.
import {
  createDatasetFromImport,
  readDatasetContents,
  type ImportedDatasetImage,
} from '$lib/db/dataset-transfer';
import { importImageFiles, type ImportProgress } from '$lib/images/image-import';
import { exportDataset, readDatasetFile, type FormatId } from './dataset-formats';
import { FormatError, type ExportResult } from './format-types';

export async function exportDatasetFile(
  datasetId: string,
  format: FormatId,
): Promise<ExportResult> {
  const contents = await readDatasetContents(datasetId);
  const images = await Promise.all(
    contents.images.map(async ({ blob, ...image }) => ({
      ...image,
      bytes: new Uint8Array(await blob.arrayBuffer()),
    })),
  );
  return exportDataset(format, { ...contents, images });
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
  options: { onProgress?: (p: ImportProgress) => void; signal?: AbortSignal } = {},
): Promise<DatasetFileImport> {
  const plan = readDatasetFile(new Uint8Array(await file.arrayBuffer()));
  const withBytes = plan.images.filter((i) => i.bytes);
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
    return new File([i.bytes as Uint8Array<ArrayBuffer>], names[k]!, { type: MIME[ext] ?? '' });
  });
  const decoded = await importImageFiles(files, options);
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
  const name = nameFromFile(file.name);
  const stored = await createDatasetFromImport(name, plan.classes, plan.task, pairs);
  return {
    datasetId: stored.dataset.id,
    name: stored.dataset.name,
    added: stored.added,
    skipped: [...skipped, ...stored.skipped],
  };
}
