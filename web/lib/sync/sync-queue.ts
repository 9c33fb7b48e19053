// The offline sync queue: a sync asked for is stored first (IndexedDB, $lib/db/sync-queue) and
// run when the network allows, one dataset at a time, so a sync asked for offline is not lost
// and two syncs never upload the same image at once. It runs on app open, on the 'online' event,
// and when the service worker's Background Sync fires (Chromium: also after the browser itself
// regained the network). A network failure puts the sync back to wait and retries with backoff;
// a refusal by the server marks it failed with the server's reason until the user retries.
// A run sends the label edits (label-sync.ts) and then seals the version (dataset-sync.ts).
import type { DatasetVersion } from '$contract';
import { describeError } from '$lib/api/api-error';
import {
  enqueueSync,
  getSync,
  removeSync,
  requeueInterrupted,
  updateSync,
  waitingSyncs,
} from '$lib/db/sync-queue';
import { NetworkLostError } from './upload-errors';
import { syncDataset } from './dataset-sync';
import { sendRename } from './dataset-rename';
import { labelSyncTransport, syncLabels } from './label-sync';
import { registerBackgroundSync } from './background-sync';
import { SYNC_QUEUE_MESSAGE } from './sync-queue-tag';
import { insecureOrigin } from '../platform/secure-context';

export type SyncResult = { version: DatasetVersion; uploaded: number };

/** Seconds between retries after the network failed while the browser said it was online. */
const BACKOFF_SECONDS = [2, 5, 15, 30, 60];
/** Progress is written at most this often; the panel reads it from the database. */
const PROGRESS_WRITE_MS = 250;

const waiters = new Map<
  string,
  { resolve: (r: SyncResult) => void; reject: (e: Error) => void }[]
>();
let running: { datasetId: string; abort: AbortController } | null = null;
let again = false;
let failures = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

// On an insecure origin a TypeError is a withheld browser API (crypto.subtle), not the network:
// it fails with that explanation instead of waiting for a server that is there.
const isNetworkLoss = (error: unknown) =>
  error instanceof NetworkLostError ||
  (error instanceof TypeError && !insecureOrigin()) ||
  !navigator.onLine;

function settle(datasetId: string, outcome: { ok: SyncResult } | { error: Error }) {
  for (const w of waiters.get(datasetId) ?? []) {
    if ('ok' in outcome) w.resolve(outcome.ok);
    else w.reject(outcome.error);
  }
  waiters.delete(datasetId);
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  const seconds = BACKOFF_SECONDS[Math.min(failures, BACKOFF_SECONDS.length - 1)]!;
  failures += 1;
  retryTimer = setTimeout(() => void runQueue(), seconds * 1000);
}

async function runOne(datasetId: string): Promise<'done' | 'offline'> {
  const abort = new AbortController();
  running = { datasetId, abort };
  let lastWrite = 0;
  await updateSync(datasetId, { state: 'uploading', reason: undefined });
  try {
    // Label edits first (docs/sync-protocol.md): what other devices changed is pulled in, so
    // the version sealed next holds everyone's labels.
    await syncLabels(datasetId, { transport: labelSyncTransport(undefined, abort.signal) });
    await sendRename(datasetId);
    const result = await syncDataset(datasetId, {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase !== 'uploading') return;
        const now = Date.now();
        if (now - lastWrite < PROGRESS_WRITE_MS && p.done < p.total) return;
        lastWrite = now;
        void updateSync(datasetId, {
          imagesDone: p.done,
          imagesTotal: p.total,
          bytesSent: p.bytesSent,
          bytesTotal: p.bytesTotal,
        });
      },
    });
    await removeSync(datasetId);
    failures = 0;
    settle(datasetId, { ok: result });
    return 'done';
  } catch (error) {
    if (abort.signal.aborted) return 'done'; // cancelled: cancelSync already settled it
    if (isNetworkLoss(error)) {
      await updateSync(datasetId, {
        state: 'waiting',
        reason: navigator.onLine
          ? 'The server cannot be reached; trying again shortly.'
          : 'Offline: this continues when the network returns.',
      });
      return 'offline';
    }
    const message = describeError(error);
    await updateSync(datasetId, { state: 'failed', reason: message });
    settle(datasetId, { error: error instanceof Error ? error : new Error(message) });
    return 'done';
  } finally {
    running = null;
  }
}

/** Runs every waiting sync, oldest first; a second call while running runs the queue again. */
export async function runQueue(): Promise<void> {
  if (running) {
    again = true;
    return;
  }
  clearTimeout(retryTimer);
  do {
    again = false;
    for (const row of await waitingSyncs()) {
      if (!navigator.onLine) {
        void registerBackgroundSync();
        return;
      }
      if ((await runOne(row.datasetId)) === 'offline') {
        void registerBackgroundSync();
        if (navigator.onLine) scheduleRetry();
        return;
      }
    }
  } while (again);
}

/**
 * Queues a sync of the dataset and runs the queue; resolves when the server sealed the version,
 * which may be after the network returns. Rejects when the server refuses it or it is cancelled.
 */
export async function requestSync(datasetId: string): Promise<SyncResult> {
  const result = new Promise<SyncResult>((resolve, reject) => {
    waiters.set(datasetId, [...(waiters.get(datasetId) ?? []), { resolve, reject }]);
  });
  await enqueueSync(datasetId);
  void runQueue();
  return result;
}

/** Puts a failed (or waiting) sync back to run now. */
export async function retrySync(datasetId: string): Promise<void> {
  const row = await getSync(datasetId);
  if (!row || row.state === 'uploading') return;
  failures = 0;
  await updateSync(datasetId, { state: 'waiting', reason: undefined });
  await runQueue();
}

/** Drops the sync from the queue, stopping its upload; what the server received stays there. */
export async function cancelSync(datasetId: string): Promise<void> {
  if (running?.datasetId === datasetId) running.abort.abort(new Error('The sync was cancelled.'));
  await removeSync(datasetId);
  settle(datasetId, { error: new Error('The sync was cancelled.') });
}

let started = false;

/** Starts the queue once per page: on open, and whenever the network or the worker says go. */
export function startSyncQueue(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  window.addEventListener('online', () => {
    failures = 0;
    void runQueue();
  });
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
    if ((event.data as { type?: unknown } | null)?.type === SYNC_QUEUE_MESSAGE) void runQueue();
  });
  void requeueInterrupted().then(runQueue);
}
