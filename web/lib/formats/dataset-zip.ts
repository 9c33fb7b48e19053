// The page-side bridge to the dataset-file worker, and the only module that owns it: one worker
// per export or import, ended when the job ends, or at once on cancel (ending the worker is the
// only way to stop a zip being packed). Progress comes back through a comlink proxy.
import { proxy, wrap, type Remote } from 'comlink';
import type { DatasetZipApi, ZipProgress } from './dataset-zip.worker';

export type { UnpackedPlan, ZipProgress } from './dataset-zip.worker';

export interface ZipJobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ZipProgress) => void;
}

export async function inZipWorker<T>(
  job: (api: Remote<DatasetZipApi>, report: (p: ZipProgress) => void) => Promise<T>,
  { signal, onProgress = () => {} }: ZipJobOptions = {},
): Promise<T> {
  const cancelled = () =>
    signal?.reason ?? new DOMException('The job was cancelled.', 'AbortError');
  if (signal?.aborted) throw cancelled();
  const worker = new Worker(new URL('./dataset-zip.worker.ts', import.meta.url), {
    type: 'module',
  });
  let onAbort = () => {};
  const stopped = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      reject(new Error(`the zip worker stopped: ${event.message || 'out of memory?'}`));
    });
    onAbort = () => reject(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // The relay returns nothing: comlink sends a callback's return value back to the worker, and
    // a page's `(p) => (progress = p)` returns a Svelte state proxy, which cannot be cloned; each
    // report then failed in the worker as an uncaught "Unserializable return value".
    const relay = proxy((p: ZipProgress) => void onProgress(p));
    return await Promise.race([job(wrap<DatasetZipApi>(worker), relay), stopped]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    worker.terminate();
  }
}
