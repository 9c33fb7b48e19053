// Pulling: a dataset version from the server becomes a local dataset on this device. Only the
// images the device lacks (by SHA-256) are downloaded, each checked against its hash before it
// is kept; the dataset, its images and labels are then written in one transaction, so a pull
// that fails halfway leaves nothing behind.
import type { DatasetManifest, DatasetVersion } from '$contract';
import { authorizedFetch } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { markSynced, type DatasetRow, type ImageLabels } from '$lib/db/datasets';
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
export async function download(sha256: string, onBytes: (n: number) => void, signal?: AbortSignal) {
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

type LocalImage = { blob: Blob; mimeType: ImageMimeType };
type ImageEntry = { sha256: string; fileName: string; width: number; height: number };

/**
 * The bytes of every image named: those this device holds as stored, the others downloaded one
 * by one with progress, each checked against its hash. Shared by "Get" (a version) and joining
 * a live dataset (live-dataset-join.ts).
 */
export async function gatherImages(
  sha256s: readonly string[],
  onProgress: (p: PullProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ local: Map<string, LocalImage>; downloaded: number }> {
  const local = new Map<string, LocalImage>(await storedImages(sha256s));
  const missing = [...new Set(sha256s)].filter((sha256) => !local.has(sha256));
  const progress: PullProgress = { done: 0, total: missing.length, bytes: 0 };
  onProgress({ ...progress });
  for (const sha256 of missing) {
    const onBytes = (n: number) => {
      progress.bytes += n;
      onProgress({ ...progress });
    };
    local.set(sha256, await download(sha256, onBytes, signal));
    progress.done += 1;
    onProgress({ ...progress });
  }
  return { local, downloaded: missing.length };
}

/** An image as the dataset import stores it, from its entry, its bytes and its labels. */
export function importedImage(
  entry: ImageEntry,
  local: LocalImage,
  labels: ImageLabels,
): ImportedDatasetImage {
  const { sha256, fileName, width, height } = entry;
  const { blob, mimeType } = local;
  return {
    image: { sha256, fileName, width, height, blob, mimeType, bytes: blob.size },
    labels,
  };
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
  const { local, downloaded } = await gatherImages(
    manifest.images.map((i) => i.sha256),
    onProgress,
    signal,
  );
  const images = manifest.images.map((entry) =>
    importedImage(entry, local.get(entry.sha256)!, {
      boxes: entry.boxes,
      polygons: entry.polygons ?? [],
      imageClass: entry.imageClass ?? null,
    }),
  );
  // A sealed version is a snapshot: it becomes a new dataset of its own, not a shared one.
  const created = await createDatasetFromImport(
    manifest.name,
    manifest.classes,
    manifest.task ?? 'detect',
    images,
  );
  await markSynced(created.dataset.id, version.id);
  return { dataset: created.dataset, downloaded, skipped: created.skipped };
}
