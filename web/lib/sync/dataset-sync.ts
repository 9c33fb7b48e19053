import type { DatasetVersion } from '$contract';
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { buildManifest, getImageBlob, markSynced } from '$lib/db/datasets';
import { uploadImage } from './blob-upload';

export type SyncProgress =
  | { phase: 'planning' }
  | { phase: 'uploading'; done: number; total: number; bytesSent: number; bytesTotal: number }
  | { phase: 'sealing' };

/** Uploads in flight at once: small photos are dominated by per-request round trips. */
export const PARALLEL_UPLOADS = 3;

export interface SyncOptions {
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
}

/**
 * Sends a dataset to the server: the manifest names every image by SHA-256, the server answers
 * which it lacks, only those are uploaded (resumably, see blob-upload.ts), then the server seals
 * an immutable version. Every step can be repeated: a blob the server got is not asked for again,
 * and the same manifest seals to the same version, so a retry after any failure applies nothing
 * twice.
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
  let done = 0;
  const progress = () =>
    report({
      phase: 'uploading',
      done,
      total: blobs.length,
      bytesSent: [...sent.values()].reduce((a, b) => a + b, 0),
      bytesTotal,
    });
  progress();
  let next = 0;
  const worker = async () => {
    while (next < blobs.length) {
      const { sha256, blob } = blobs[next++]!;
      o.signal?.throwIfAborted();
      await uploadImage(sha256, blob, {
        signal: o.signal,
        onBytes: (bytes) => {
          sent.set(sha256, bytes);
          progress();
        },
      });
      sent.set(sha256, blob.size);
      done += 1;
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, blobs.length) }, worker));
  o.signal?.throwIfAborted();
  report({ phase: 'sealing' });
  const version = await unwrap<DatasetVersion>(
    await api['dataset-versions'].$post({ json: manifest }, { init: { signal: o.signal } }),
  );
  await markSynced(datasetId, version.id);
  return { version, uploaded: missing.length };
}
