// What the sync panel says while a sync waits. The queue does not run while the browser is
// offline, so no reason is written then: the panel must say so itself instead of promising a
// start that cannot come.
import type { SyncQueueRow } from '$lib/db/sync-queue';

export const OFFLINE_WAIT = 'Offline: it starts when the network returns.';

export function waitingText(row: Pick<SyncQueueRow, 'reason'>, online: boolean): string {
  if (!online) return OFFLINE_WAIT;
  return row.reason ?? 'it starts in a moment.';
}
