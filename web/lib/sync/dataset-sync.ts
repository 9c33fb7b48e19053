import type { DatasetVersion } from '$contract';
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { buildManifest, getImageBlob, markSynced } from '$lib/db/datasets';
import { isResumableSize, uploadImage } from './blob-upload';

export type SyncProgress =
  | { phase: 'planning' }
  | { phase: 'uploading'; done: number; total: number; bytesSent: number; bytesTotal: number }
  | { phase: 'sealing' };

/**
 * Single-request uploads in flight at once: a small photo's time is mostly round trip, so
 * several overlap. Browsers open six HTTP/1.1 connections per host and the page keeps one for
 * its live event stream, so four leave one for the API calls around them.
 */
export const PARALLEL_UPLOADS = 4;
/** Resumable (tus) uploads at once: big files fill the link alone; fewer halves to resume. */
export const PARALLEL_RESUMABLE_UPLOADS = 2;

/** Runs `job` over `items`, `width` at a time, in order. */
export async function pool<T>(items: readonly T[], width: number, job: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await job(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

export interface SyncOptions {
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
}

/**
 * Sends a dataset to the server: the manifest names every image by SHA-256, the server answers
 * which it lacks, only those are uploaded (small ones in one request each, big ones resumably,
 * see blob-upload.ts), then the server seals an immutable version. Every step can be repeated:
 * a blob the server got is not asked for again, and the same manifest seals to the same version,
 * so a retry after any failure applies nothing twice.
 */
export async function syncDataset(
  datasetId: string,
  o: SyncOptions = {},
): Promise<{ version: DatasetVersion; uploaded: number }> {
  const report = o.onProgress ?? (() => {});
  report({ phase: 'planning' });
  const manifest = await buildManifest(datasetId);
  const { missing } = await unwrap<{ missing: string[] }>(
    await api.blobs.missing.$post({ json: { sha256s: manifest.images.map((i) => i.sha256) } }),
  );
  const blobs = await Promise.all(
    missing.map(async (sha256) => {
      const blob = await getImageBlob(sha256);
      if (!blob)
        throw new Error(`image ${sha256.slice(0, 12)} is missing from this device's storage`);
      return { sha256, blob };
    }),
  );
  const bytesTotal = blobs.reduce((n, b) => n + b.blob.size, 0);
  const sent = new Map<string, number>();
  let bytesSent = 0;
  let done = 0;
  const progress = () =>
    report({ phase: 'uploading', done, total: blobs.length, bytesSent, bytesTotal });
  const count = (sha256: string, bytes: number) => {
    bytesSent += bytes - (sent.get(sha256) ?? 0);
    sent.set(sha256, bytes);
    progress();
  };
  progress();
  const send = async ({ sha256, blob }: { sha256: string; blob: Blob }) => {
    o.signal?.throwIfAborted();
    await uploadImage(sha256, blob, {
      signal: o.signal,
      onBytes: (bytes) => count(sha256, bytes),
    });
    done += 1;
    count(sha256, blob.size);
  };
  // Small images first: most of a dataset lands quickly, then the big ones resume if cut.
  const big = blobs.filter((b) => isResumableSize(b.blob.size));
  await pool(
    blobs.filter((b) => !isResumableSize(b.blob.size)),
    PARALLEL_UPLOADS,
    send,
  );
  await pool(big, PARALLEL_RESUMABLE_UPLOADS, send);
  o.signal?.throwIfAborted();
  report({ phase: 'sealing' });
  const version = await unwrap<DatasetVersion>(
    await api['dataset-versions'].$post({ json: manifest }, { init: { signal: o.signal } }),
  );
  await markSynced(datasetId, version.id);
  return { version, uploaded: missing.length };
}
