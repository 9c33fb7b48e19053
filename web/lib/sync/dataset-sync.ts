import type { DatasetVersion } from '$contract';
import { authorizedFetch, api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { buildManifest, getImageBlob, markSynced } from '$lib/db/datasets';

export type SyncProgress =
  | { phase: 'planning' }
  | { phase: 'uploading'; done: number; total: number }
  | { phase: 'sealing' };

/**
 * Sends a dataset to the server: the manifest names every image by SHA-256, the server answers
 * which it lacks, only those are uploaded, then the server seals an immutable version.
 */
export async function syncDataset(
  datasetId: string,
  onProgress: (p: SyncProgress) => void = () => {},
): Promise<{ version: DatasetVersion; uploaded: number }> {
  onProgress({ phase: 'planning' });
  const manifest = await buildManifest(datasetId);
  const sha256s = manifest.images.map((i) => i.sha256);
  const { missing } = await unwrap<{ missing: string[] }>(
    await api.blobs.missing.$post({ json: { sha256s } }),
  );
  for (const [index, sha256] of missing.entries()) {
    onProgress({ phase: 'uploading', done: index, total: missing.length });
    const blob = await getImageBlob(sha256);
    if (!blob)
      throw new Error(`image ${sha256.slice(0, 12)} is missing from this device's storage`);
    await unwrap(await authorizedFetch(`/api/blobs/${sha256}`, { method: 'PUT', body: blob }));
  }
  onProgress({ phase: 'sealing' });
  const version = await unwrap<DatasetVersion>(
    await api['dataset-versions'].$post({ json: manifest }),
  );
  await markSynced(datasetId, version.id);
  return { version, uploaded: missing.length };
}
