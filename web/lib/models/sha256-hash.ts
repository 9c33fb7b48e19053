// The page-side bridge to the hash worker: one worker per page, started on first use and ended
// after each file (a model arrives minutes or days apart; an idle thread is not worth keeping).
import { wrap } from 'comlink';
import type { Sha256WorkerApi } from './sha256.worker';

/** Hex SHA-256 of `blob`, computed in a worker; rejects if the worker dies or `signal` aborts. */
export async function sha256InWorker(blob: Blob, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  const worker = new Worker(new URL('./sha256.worker.ts', import.meta.url), {
    type: 'module',
    name: 'sha256',
  });
  let onAbort = () => {};
  const stopped = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      reject(new Error(`the hash worker stopped: ${event.message || 'unknown error'}`));
    });
    onAbort = () => reject(signal?.reason ?? new DOMException('cancelled', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  stopped.catch(() => {}); // observed through the race; never an unhandled rejection
  try {
    return await Promise.race([wrap<Sha256WorkerApi>(worker).sha256(blob), stopped]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    worker.terminate();
  }
}
