// Background Sync (Chromium has it; Firefox and Safari do not): the queue asks the browser to
// wake the service worker once the network is back; the worker tells open pages to run the
// queue. Uploads run in the page (tus-js-client needs XMLHttpRequest, which workers lack), so
// with no page open the queue runs on the next open.
import { SYNC_QUEUE_TAG } from './sync-queue-tag';

type SyncManager = { register(tag: string): Promise<void> };

export async function registerBackgroundSync(): Promise<boolean> {
  const registration = await navigator.serviceWorker?.getRegistration();
  const sync = (registration as { sync?: SyncManager } | undefined)?.sync;
  if (!sync) return false;
  try {
    await sync.register(SYNC_QUEUE_TAG);
    return true;
  } catch {
    return false; // permission or policy: the 'online' event and the next open still run it
  }
}
