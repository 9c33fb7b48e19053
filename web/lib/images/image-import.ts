// The page-side bridge to the image-import worker, and the only module that owns it: it starts
// the worker on first use, feeds it files a couple at a time, reports progress, cancels with an
// AbortSignal (by ending the worker, the only way to stop a decode in flight), and ends the
// worker after a quiet spell so an idle tab holds no extra thread.
import { wrap, type Remote } from 'comlink';
import type { ImageImportApi } from './image-import.worker';
import type { ImportedImage, ImportOutcome, ImportRejection } from './imported-image';

export type { ImportedImage, ImportRejection } from './imported-image';

/** Two files in flight: one is read and hashed while the other decodes; more only costs memory. */
const CONCURRENCY = 2;
const IDLE_MS = 30_000;

export interface ImportProgress {
  done: number;
  total: number;
}

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportResult {
  /** In the order the files were given. */
  images: ImportedImage[];
  rejected: ImportRejection[];
}

interface Connection {
  worker: Worker;
  api: Remote<ImageImportApi>;
  /** Rejects when the worker dies (a crash or running out of memory); comlink alone would hang. */
  failed: Promise<never>;
}

let connection: Connection | undefined;
let inFlight = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function connect(): Connection {
  if (connection) return connection;
  const worker = new Worker(new URL('./image-import.worker.ts', import.meta.url), {
    type: 'module',
  });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      end();
      reject(new Error(`the image importer stopped: ${event.message || 'unknown error'}`));
    });
  });
  failed.catch(() => {}); // observed by callers through Promise.race; never unhandled
  connection = { worker, api: wrap<ImageImportApi>(worker), failed };
  return connection;
}

function end(): void {
  connection?.worker.terminate();
  connection = undefined;
}

function scheduleIdleEnd(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (inFlight === 0) end();
  }, IDLE_MS);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The import was cancelled.', 'AbortError');
}

/** Runs one call in the worker, ending it on abort (the only way to stop a decode in flight). */
async function inWorker<T>(
  call: (api: Remote<ImageImportApi>) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const { api, failed } = connect();
  inFlight++;
  clearTimeout(idleTimer);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      end();
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(api), failed, aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    inFlight--;
    if (inFlight === 0) scheduleIdleEnd();
  }
}

function importOne(file: File, signal?: AbortSignal): Promise<ImportOutcome> {
  return inWorker<ImportOutcome>((api) => api.importFile(file), signal);
}

/** A grid thumbnail of a stored image, drawn in the worker; undefined where it cannot draw one. */
export function thumbnailInWorker(blob: Blob, signal?: AbortSignal): Promise<Blob | undefined> {
  return inWorker((api) => api.makeThumbnail(blob), signal);
}

/**
 * Sniffs, measures, decodes and hashes each file in the worker. Files that are not usable images
 * come back in `rejected` with a reason to show; the promise itself rejects only when cancelled
 * (with the signal's reason) or when the worker dies.
 */
export async function importImageFiles(
  files: Iterable<File> | ArrayLike<File>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { signal, onProgress } = options;
  const list = Array.from(files);
  const outcomes: ImportOutcome[] = new Array(list.length);
  let next = 0;
  let done = 0;
  if (signal?.aborted) throw abortReason(signal);
  onProgress?.({ done, total: list.length });

  async function runLane(): Promise<void> {
    while (next < list.length) {
      if (signal?.aborted) throw abortReason(signal);
      const index = next++;
      outcomes[index] = await importOne(list[index]!, signal);
      onProgress?.({ done: ++done, total: list.length });
    }
  }

  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, list.length) }, runLane));

  const result: ImportResult = { images: [], rejected: [] };
  for (const outcome of outcomes) {
    if (outcome.ok) result.images.push(outcome.image);
    else result.rejected.push(outcome.rejection);
  }
  return result;
}
