// Label sync with the server (docs/sync-protocol.md): push the pending mutations in seq order,
// take each answer, then pull what changed since the cursor. Every step can be repeated: a
// replayed push changes nothing on the server and is answered the same, so a lost answer costs
// one more request. A gap (the server applied fewer than this device believes) renumbers the
// pending mutations and pulls everything again.
import type {
  DeviceSyncState,
  LabelChanges,
  LabelPush,
  LabelPushResult,
  LiveImage,
  SyncMutation,
} from '$contract';
import { api } from '$lib/api/client';
import { ApiRequestError, unwrap } from '$lib/api/api-error';
import { getDb, type LoupeDb } from '$lib/db/database';
import type { ImageRow } from '$lib/db/database';
import {
  acknowledge,
  addPulledImage,
  applyPulled,
  deviceId,
  missingImages,
  pendingMutations,
  recordUnsynced,
  renumberAfterGap,
  syncState,
  type LabelMutationRow,
} from '$lib/db/label-log';

/** The server calls label sync makes; a test gives one over a faulty network. */
export interface LabelSyncTransport {
  push(datasetId: string, body: LabelPush): Promise<LabelPushResult>;
  changes(datasetId: string, since: number): Promise<LabelChanges>;
  device(datasetId: string, deviceId: string): Promise<DeviceSyncState>;
  /** An image's bytes, by hash (images restored or added on another device). */
  blob(sha256: string): Promise<Blob>;
}

type Api = typeof api;

export function labelSyncTransport(client: Api = api, signal?: AbortSignal): LabelSyncTransport {
  const routes = client['label-sync'][':datasetId'];
  const init = { init: { signal } };
  return {
    push: async (datasetId, json) =>
      unwrap<LabelPushResult>(await routes.push.$post({ param: { datasetId }, json }, init)),
    changes: async (datasetId, since) =>
      unwrap<LabelChanges>(
        await routes.changes.$get({ param: { datasetId }, query: { since: String(since) } }, init),
      ),
    device: async (datasetId, id) =>
      unwrap<DeviceSyncState>(
        await routes.devices[':deviceId'].$get({ param: { datasetId, deviceId: id } }, init),
      ),
    blob: async (sha256) => {
      const res = await client.blobs[':sha256'].$get({ param: { sha256 } }, init);
      if (!res.ok) await unwrap(res);
      return res.blob();
    },
  };
}

/** A logged mutation as the push sends it; label edits name their class list if it differs. */
function wire(m: LabelMutationRow, classes: readonly string[]): SyncMutation {
  const { seq, classVersion } = m;
  const versioned = classVersion === undefined ? { seq } : { seq, classVersion };
  if (m.kind === 'class') return { kind: 'class', ...versioned, op: m.op };
  const resolves = m.resolves ? { resolves: m.resolves } : {};
  if (m.kind === 'remove') {
    return { kind: 'remove', seq, sha256: m.sha256, baseRevision: m.baseRevision, ...resolves };
  }
  const own = m.classes && m.classes.join('\n') !== classes.join('\n');
  return {
    ...versioned,
    sha256: m.sha256,
    baseRevision: m.baseRevision,
    labels: m.labels,
    image: m.image,
    ...(own ? { classes: m.classes } : {}),
    ...resolves,
  };
}

const MIME_TYPES: readonly ImageRow['mimeType'][] = ['image/jpeg', 'image/png', 'image/webp'];

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Adds the server's images this device lacks (restored after a removal, or added elsewhere),
 * bytes checked against their hash. Returns the revision the cursor may move to: below the
 * first image that could not be fetched, so the next pull brings it again.
 */
async function fetchMissing(
  db: LoupeDb,
  datasetId: string,
  transport: LabelSyncTransport,
  changes: LabelChanges,
): Promise<number> {
  let cursor = changes.revision;
  const missing: LiveImage[] = await missingImages(db, datasetId, changes.images);
  for (const image of missing) {
    const stored = await db.images.get(image.sha256);
    try {
      const blob = stored ? undefined : await transport.blob(image.sha256);
      if (blob && (await sha256Hex(blob)) !== image.sha256) throw new Error('hash mismatch');
      const mimeType = MIME_TYPES.find((t) => t === blob?.type) ?? 'image/jpeg';
      await addPulledImage(db, datasetId, image, blob && { blob, mimeType });
    } catch {
      cursor = Math.min(cursor, image.revision - 1);
    }
  }
  return cursor;
}

export interface LabelSyncOptions {
  db?: LoupeDb;
  transport?: LabelSyncTransport;
  /** Mutations per request. */
  batchSize?: number;
}

export interface LabelSyncResult {
  /** Mutations the server acknowledged in this run. */
  pushed: number;
  /** Of those, edits that lost and are kept as conflicts. */
  conflicts: number;
  /** Images whose labels came from the server. */
  pulled: number;
  /** Unresolved conflicts in the dataset. */
  openConflicts: number;
}

const isGap = (e: unknown): e is ApiRequestError =>
  e instanceof ApiRequestError && e.status === 409 && e.code === 'sequence_gap';

/** Pushes this device's label edits to the dataset's live copy, then pulls the others'. */
export async function syncLabels(
  datasetId: string,
  o: LabelSyncOptions = {},
): Promise<LabelSyncResult> {
  const db = o.db ?? getDb();
  const transport = o.transport ?? labelSyncTransport();
  const dataset = await db.datasets.get(datasetId);
  if (!dataset) throw new Error('This dataset is not on this device.');
  const device = await deviceId(db);
  await recordUnsynced(db, datasetId);
  const result: LabelSyncResult = { pushed: 0, conflicts: 0, pulled: 0, openConflicts: 0 };
  let gaps = 0;
  for (;;) {
    const batch = await pendingMutations(db, datasetId, o.batchSize ?? 500);
    if (batch.length === 0) break;
    // The list the batch starts from: a new live dataset starts with it.
    const classes = batch[0]!.classes ?? (await db.datasets.get(datasetId))?.classes ?? [];
    const body: LabelPush = {
      deviceId: device,
      name: dataset.name,
      task: dataset.task ?? 'detect',
      classes,
      mutations: batch.map((m) => wire(m, classes)),
    };
    let answer: LabelPushResult;
    try {
      answer = await transport.push(datasetId, body);
    } catch (error) {
      // Twice in a row would mean the server keeps losing what it applied: stop and say so.
      if (!isGap(error) || gaps++ > 1) throw error;
      const { lastSeq } = error.details as { lastSeq: number };
      await renumberAfterGap(db, datasetId, lastSeq);
      continue;
    }
    await acknowledge(db, datasetId, answer);
    const fresh = answer.results.filter((r) => r.seq > batch[0]!.seq - 1);
    result.pushed += fresh.length;
    result.conflicts += fresh.filter((r) => r.outcome === 'conflict').length;
  }
  const { cursor, lastAck } = await syncState(db, datasetId);
  if (lastAck === 0 && cursor === 0 && result.pushed === 0) {
    // Nothing was ever sent from here: the server may not know the dataset yet.
    const state = await transport.device(datasetId, device);
    if (!state.datasetKnown) return result;
  }
  const changes = await transport.changes(datasetId, cursor);
  const reached = await fetchMissing(db, datasetId, transport, changes);
  result.pulled = await applyPulled(db, datasetId, changes, reached);
  result.openConflicts = changes.conflicts;
  return result;
}
