// What deleting a dataset from this device means for its copies elsewhere, said before the user
// confirms: a dataset never synced is gone for good; one the server holds stays there (its live
// copy, which any device can pull back, and every sealed version), and only edits not yet
// synced are lost.
import type { DatasetRow } from '$lib/db/database';
import { getDb } from '$lib/db/database';
import { pendingCount } from '$lib/db/label-log';
import { reachedServer } from '$lib/sync/label-conflicts';
import { plural } from '$lib/text/wording';

export interface RemovalFacts {
  onServer: boolean;
  sealed: boolean;
  unsyncedEdits: number;
  images: number;
}

export function removalConsequence(name: string, f: RemovalFacts): string {
  const here = `Deletes "${name}" (${plural(f.images, 'photo')} and their labels) from this device.`;
  if (!f.onServer && !f.sealed) {
    return `${here} It was never synced, so no copy exists anywhere else: it is gone for good.`;
  }
  const kept = f.onServer
    ? 'The server keeps its copy: the dataset stays under Server datasets (any device can pull it back), with every version sealed from it and the models trained on them.'
    : 'The server keeps the versions sealed from it and the models trained on them.';
  const lost = f.unsyncedEdits
    ? ` ${plural(f.unsyncedEdits, 'label change')} not yet synced ${f.unsyncedEdits === 1 ? 'is' : 'are'} lost: sync first to keep ${f.unsyncedEdits === 1 ? 'it' : 'them'}.`
    : '';
  return `${here} ${kept}${lost}`;
}

export async function removalFacts(dataset: DatasetRow, images: number): Promise<RemovalFacts> {
  const db = getDb();
  return {
    onServer: reachedServer(await db.labelSync.get(dataset.id)),
    sealed: !!dataset.lastSyncedVersionId,
    unsyncedEdits: await pendingCount(db, dataset.id),
    images,
  };
}
