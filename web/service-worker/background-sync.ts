// Background Sync: when the browser has the network again it fires 'sync' with the queue's tag;
// the uploads run in the page (they need XMLHttpRequest), so the worker tells every open page to
// run its queue.
import { SYNC_QUEUE_MESSAGE } from '$lib/sync/sync-queue-tag';

/** Wakes the sync queue in every open window of the app; true when one was open. */
export async function wakeSyncQueues(clients: Clients): Promise<boolean> {
  const windows = await clients.matchAll({ type: 'window' });
  for (const client of windows) client.postMessage({ type: SYNC_QUEUE_MESSAGE });
  return windows.length > 0;
}
