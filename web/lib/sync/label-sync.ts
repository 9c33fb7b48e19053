// Label sync with the server (docs/sync-protocol.md): push the pending mutations in seq order,
// take each answer, then pull what changed since the cursor. Every step can be repeated: a
// replayed push changes nothing on the server and is answered the same, so a lost answer costs
// one more request. A gap (the server applied fewer than this device believes) renumbers the
// pending mutations and pulls everything again.
import type { DeviceSyncState, LabelChanges, LabelPush, LabelPushResult } from '$contract';
import { api } from '$lib/api/client';
import { ApiRequestError, unwrap } from '$lib/api/api-error';
import { getDb, type LoupeDb } from '$lib/db/database';
import {
  acknowledge,
  applyPulled,
  deviceId,
  pendingMutations,
  recordUnsynced,
  renumberAfterGap,
  syncState,
} from '$lib/db/label-log';

/** The server calls label sync makes; a test gives one over a faulty network. */
export interface LabelSyncTransport {
  push(datasetId: string, body: LabelPush): Promise<LabelPushResult>;
  changes(datasetId: string, since: number): Promise<LabelChanges>;
  device(datasetId: string, deviceId: string): Promise<DeviceSyncState>;
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
  };
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
    const body: LabelPush = {
      deviceId: device,
      name: dataset.name,
      task: dataset.task ?? 'detect',
      classes: (await db.datasets.get(datasetId))?.classes ?? dataset.classes,
      mutations: batch.map(({ seq, sha256, baseRevision, labels, image, resolves }) => ({
        seq,
        sha256,
        baseRevision,
        labels,
        image,
        ...(resolves ? { resolves } : {}),
      })),
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
  result.pulled = await applyPulled(db, datasetId, changes);
  result.openConflicts = changes.conflicts;
  return result;
}
