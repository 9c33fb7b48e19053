// Pulling: a dataset version from the server becomes a local dataset on this device. Only the
// images the device lacks (by SHA-256) are downloaded, each checked against its hash before it
// is kept. They are stored as they arrive, about 50 a transaction, so memory stays flat however
// big the dataset is, and a pull that stops halfway keeps what arrived: the next one downloads
// only the rest. The dataset and its labels are written in one transaction once every image is
// here, so no half dataset appears.
import type { DatasetManifest, DatasetVersion } from '$contract';
import { authorizedFetch } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { markSynced, type DatasetRow, type ImageLabels } from '$lib/db/datasets';
import { createDatasetFromImport, type ImportedDatasetImage } from '$lib/db/dataset-transfer';
import {
  heldImages,
  storedImages,
  storeDownloadedImages,
  type DownloadedImage,
} from '$lib/db/stored-images';
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

/** Downloaded images are written this many at a time (or sooner, past BATCH_BYTES). */
export const BATCH_IMAGES = 50;
const BATCH_BYTES = 32 * 1024 * 1024;

/**
 * The bytes of every image named: those this device holds as stored, the others downloaded one
 * by one with progress, each checked against its hash and stored in batches as it arrives.
 * Shared by "Get" (a version) and joining a live dataset (live-dataset-join.ts).
 */
export async function gatherImages(
  entries: readonly Pick<ImageEntry, 'sha256' | 'width' | 'height'>[],
  onProgress: (p: PullProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ local: Map<string, LocalImage>; downloaded: number }> {
  const sha256s = entries.map((e) => e.sha256);
  const held = await heldImages(sha256s);
  const missing = [...new Map(entries.map((e) => [e.sha256, e])).values()].filter(
    (e) => !held.has(e.sha256),
  );
  const progress: PullProgress = { done: 0, total: missing.length, bytes: 0 };
  onProgress({ ...progress });
  let batch: DownloadedImage[] = [];
  let batchBytes = 0;
  const flush = async () => {
    const full = batch;
    batch = [];
    batchBytes = 0;
    if (full.length > 0) await storeDownloadedImages(full);
  };
  try {
    for (const { sha256, width, height } of missing) {
      const onBytes = (n: number) => {
        progress.bytes += n;
        onProgress({ ...progress });
      };
      const { blob, mimeType } = await download(sha256, onBytes, signal);
      batch.push({ sha256, blob, mimeType, width, height });
      batchBytes += blob.size;
      if (batch.length >= BATCH_IMAGES || batchBytes >= BATCH_BYTES) await flush();
      progress.done += 1;
      onProgress({ ...progress });
    }
  } finally {
    // Stopped or not, what arrived is kept: the next pull downloads only the rest.
    await flush();
  }
  // Read back from storage: the bytes live on disk, not in this page's memory.
  return { local: await storedImages(sha256s), downloaded: missing.length };
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
  const { local, downloaded } = await gatherImages(manifest.images, onProgress, signal);
  const images = manifest.images.map((entry) =>
    importedImage(entry, local.get(entry.sha256)!, {
      boxes: entry.boxes,
      polygons: entry.polygons ?? [],
      imageClass: entry.imageClass ?? null,
      ...(entry.split ? { split: entry.split } : {}),
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
