// The service worker: wiring only. What is cached is in precache.ts, how requests are answered in
// fetch-strategy.ts, and how an update takes over in update-messages.ts.
import { dropOldCaches, fillCache } from './precache';
import { route } from './fetch-strategy';
import { isSkipWaiting } from './update-messages';
import { SYNC_QUEUE_TAG } from '$lib/sync/sync-queue-tag';
import { wakeSyncQueues } from './background-sync';

// Checked with lib "webworker" (see tsconfig.json here), where `self` is a WorkerGlobalScope.
const sw = self as unknown as ServiceWorkerGlobalScope;

sw.addEventListener('install', (event) => {
  event.waitUntil(fillCache());
});

sw.addEventListener('activate', (event) => {
  // The first install takes open pages at once, so one visit is enough to work offline.
  event.waitUntil(dropOldCaches().then(() => sw.clients.claim()));
});

sw.addEventListener('fetch', (event) => {
  const response = route(event.request, sw.location.origin);
  if (response) event.respondWith(response);
});

sw.addEventListener('message', (event) => {
  if (isSkipWaiting(event.data)) void sw.skipWaiting();
});

// Background Sync (where the browser has it; not in the webworker lib's event map).
sw.addEventListener('sync', (event) => {
  const sync = event as ExtendableEvent & { tag?: string };
  if (sync.tag === SYNC_QUEUE_TAG) sync.waitUntil(wakeSyncQueues(sw.clients));
});
