// Sends a rename made on this device to the server's live copy of the dataset (marked by
// renameDataset). Run after each sync's label push, and at once after a rename when online; a
// failure leaves the mark, so the next sync tries again.
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { getDb } from '$lib/db/database';

export async function sendRename(datasetId: string, client = api): Promise<boolean> {
  const db = getDb();
  const row = await db.datasets.get(datasetId);
  if (!row?.renamePending) return false;
  await unwrap(
    await client['label-sync'][':datasetId'].$patch({
      param: { datasetId },
      json: { name: row.name },
    }),
  );
  // Cleared only when the name sent is still the name: a rename made meanwhile stays marked.
  await db.transaction('rw', db.datasets, async () => {
    const now = await db.datasets.get(datasetId);
    if (now?.name === row.name) await db.datasets.update(datasetId, { renamePending: false });
  });
  return true;
}
