// Pulling: a dataset version from the server becomes a local dataset on this device. Only the
// images the device lacks (by SHA-256) are downloaded, each checked against its hash before it
// is kept; the dataset, its images and labels are then written in one transaction, so a pull
// that fails halfway leaves nothing behind.
import type { DatasetManifest, DatasetVersion } from '$contract';
import { authorizedFetch } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { markSynced, type DatasetRow } from '$lib/db/datasets';
import { createDatasetFromImport, type ImportedDatasetImage } from '$lib/db/dataset-transfer';
import { storedImages } from '$lib/db/stored-images';
import { toHex } from '$lib/images/image-header';
import type { ImageMimeType } from '$lib/images/imported-image';

export type PullProgress = {
  done: number;
  total: number;
  /** Bytes of image data downloaded so far. */
  bytes: number;
};

const MIME_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];

/** Downloads one image and checks it is the image the manifest names. */
async function download(sha256: string, onBytes: (n: number) => void, signal?: AbortSignal) {
  const res = await authorizedFetch(`/api/blobs/${sha256}`, { signal });
  if (!res.ok || !res.body) await unwrap(res);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value as Uint8Array<ArrayBuffer>);
    onBytes(value.byteLength);
  }
  const blob = new Blob(parts, { type: res.headers.get('content-type') ?? '' });
  const actual = toHex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  if (actual !== sha256) {
    throw new Error(`image ${sha256.slice(0, 12)} arrived damaged (its bytes hash differently)`);
  }
  if (!MIME_TYPES.includes(blob.type)) {
    throw new Error(`image ${sha256.slice(0, 12)} is not a JPEG, PNG or WebP image`);
  }
  return { blob, mimeType: blob.type as ImageMimeType };
}

/** Makes the server's dataset version a local dataset; returns it with how many images came. */
export async function pullDatasetVersion(
  version: Pick<DatasetVersion, 'id'>,
  onProgress: (p: PullProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ dataset: DatasetRow; downloaded: number; skipped: string[] }> {
  const manifest = await unwrap<DatasetManifest>(
    await authorizedFetch(`/api/dataset-versions/${version.id}/manifest`, { signal }),
  );
  const stored = await storedImages(manifest.images.map((i) => i.sha256));
  const missing = manifest.images.filter((i) => !stored.has(i.sha256));
  const progress: PullProgress = { done: 0, total: missing.length, bytes: 0 };
  onProgress({ ...progress });
  const fetched = new Map<string, { blob: Blob; mimeType: ImageMimeType }>();
  for (const image of missing) {
    const onBytes = (n: number) => {
      progress.bytes += n;
      onProgress({ ...progress });
    };
    fetched.set(image.sha256, await download(image.sha256, onBytes, signal));
    progress.done += 1;
    onProgress({ ...progress });
  }
  const images: ImportedDatasetImage[] = manifest.images.map((entry) => {
    const local = stored.get(entry.sha256) ?? fetched.get(entry.sha256)!;
    const { sha256, fileName, width, height } = entry;
    return {
      image: {
        sha256,
        fileName,
        width,
        height,
        blob: local.blob,
        mimeType: local.mimeType,
        bytes: local.blob.size,
      },
      labels: {
        boxes: entry.boxes,
        polygons: entry.polygons ?? [],
        imageClass: entry.imageClass ?? null,
      },
    };
  });
  const created = await createDatasetFromImport(
    manifest.name,
    manifest.classes,
    manifest.task ?? 'detect',
    images,
  );
  await markSynced(created.dataset.id, version.id);
  return { dataset: created.dataset, downloaded: missing.length, skipped: created.skipped };
}
