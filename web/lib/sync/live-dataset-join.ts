// Joining a live dataset (docs/sync-protocol.md, Joining): the server's live copy of a dataset
// becomes a dataset on this device under the SAME id, so this device's edits are pushed into
// that live dataset and the other devices' edits are pulled from it. Unlike "Get" of a sealed
// version (dataset-pull.ts), which makes an independent copy with a new id. Used as well to get
// a dataset back after the browser evicted it (storage-loss.ts).
import type { LiveDatasetSummary } from '$contract';
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { getDb } from '$lib/db/database';
import { createDatasetFromImport } from '$lib/db/dataset-transfer';
import { applyPulled } from '$lib/db/label-log';
import { gatherImages, importedImage, type PullProgress } from './dataset-pull';
import { labelSyncTransport, syncLabels, type LabelSyncTransport } from './label-sync';

/** The live datasets on the server, the most recently changed first. */
export async function listLiveDatasets(client = api): Promise<LiveDatasetSummary[]> {
  return unwrap<LiveDatasetSummary[]>(await client['label-sync'].$get());
}

export interface JoinOptions {
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  transport?: LabelSyncTransport;
}

/**
 * Makes the live dataset a local one under its own id: the images this device lacks are
 * downloaded (by hash, with progress), the labels are the server's and are marked as based on
 * the server's revisions, so nothing is sent back until someone here edits. Returns how many
 * images were downloaded. The dataset must not be on this device yet.
 */
export async function joinLiveDataset(
  datasetId: string,
  o: JoinOptions = {},
): Promise<{ downloaded: number; skipped: string[] }> {
  const transport = o.transport ?? labelSyncTransport(undefined, o.signal);
  const live = await transport.changes(datasetId, 0);
  const { local, downloaded } = await gatherImages(live.images, o.onProgress, o.signal);
  const images = live.images.map((i) => importedImage(i, local.get(i.sha256)!, i.labels));
  const created = await createDatasetFromImport(
    live.name,
    live.classes,
    live.task,
    images,
    datasetId,
  );
  // Taken as pulled changes: each image's server revision and the pull cursor are set, so the
  // first sync sends no copy of the server's own labels back and pulls only what changed since.
  await applyPulled(getDb(), datasetId, live);
  await syncLabels(datasetId, { transport });
  return { downloaded, skipped: created.skipped };
}
