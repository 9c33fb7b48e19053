// Shared by the page and the service worker: the Background Sync tag the queue registers, and
// the message the worker posts to open pages when the browser fires it.
export const SYNC_QUEUE_TAG = 'loupe-sync-queue';
export const SYNC_QUEUE_MESSAGE = 'loupe-sync-queue';
