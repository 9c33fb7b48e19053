// The dataset-file worker: packing an export into its zip and unpacking and parsing an import
// happen here, so a zip of hundreds of photos never blocks the page. Images cross both ways as
// Blobs (handles, not copies); the finished zip comes back as a transferred buffer.
import '$lib/zod-without-eval'; // first: before any schema is built
import { expose, transfer } from 'comlink';
import type { DatasetContents } from '$lib/db/dataset-transfer';
import { exportDataset, readDatasetFile, type FormatId } from './dataset-formats';
import type { ExportResult, ImportedLabels, ImportPlan } from './format-types';

export interface ZipProgress {
  phase: 'reading' | 'packing' | 'unpacking';
  done: number;
  total: number;
}

type Report = (progress: ZipProgress) => void;

/** An import plan whose images carry Blobs rather than byte arrays. */
export interface UnpackedPlan extends Omit<ImportPlan, 'images'> {
  images: (ImportedLabels & { blob?: Blob })[];
}

async function exportZip(
  format: FormatId,
  contents: DatasetContents,
  report: Report,
): Promise<ExportResult> {
  const total = contents.images.length;
  const images = [];
  for (const { blob, ...image } of contents.images) {
    images.push({ ...image, bytes: new Uint8Array(await blob.arrayBuffer()) });
    report({ phase: 'reading', done: images.length, total });
  }
  report({ phase: 'packing', done: 0, total: 1 });
  const result = exportDataset(format, { ...contents, images });
  report({ phase: 'packing', done: 1, total: 1 });
  return transfer(result, [result.bytes.buffer]);
}

async function readFile(file: Blob, report: Report): Promise<UnpackedPlan> {
  report({ phase: 'unpacking', done: 0, total: 1 });
  const plan = readDatasetFile(new Uint8Array(await file.arrayBuffer()));
  report({ phase: 'unpacking', done: 1, total: 1 });
  return {
    ...plan,
    images: plan.images.map(({ bytes, ...image }) => ({
      ...image,
      ...(bytes ? { blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) } : {}),
    })),
  };
}

const api = { exportZip, readFile };

export type DatasetZipApi = typeof api;

expose(api);
