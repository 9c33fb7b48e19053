// What the app needs to open and label with no network, stored once per app version: the built
// JS/CSS, the static files (icons, manifest), the app shell (index.html, served for every route)
// and the CPU onnxruntime runtime, so a cached model runs offline. The WebGPU runtime (27 MB)
// is left to the network: it is only used where WebGPU exists, and the CPU build is its fallback.
import { build, files, version } from '$service-worker';

const CACHE_PREFIX = 'loupe-shell-';
export const CACHE = `${CACHE_PREFIX}${version}`;

/** The single-page app's shell: the server answers every route with the same index.html. */
export const SHELL_URL = '/';

/** Files the shell never needs offline. */
function isNeeded(path: string): boolean {
  return !path.includes('.asyncify') && !path.endsWith('.map');
}

export const PRECACHED: readonly string[] = [
  ...build.filter(isNeeded),
  ...files.filter(isNeeded),
  SHELL_URL,
];

const precached = new Set(PRECACHED);

/** True when `pathname` (same origin) is served from this version's cache. */
export function isPrecached(pathname: string): boolean {
  return precached.has(pathname);
}

/**
 * Fetches every file fresh (bypassing the HTTP cache, so a stale index.html cannot pair with new
 * assets) into this version's cache. A failed download fails the install, and the previous
 * version keeps serving: a half-filled cache is never used.
 */
export async function fillCache(): Promise<void> {
  const cache = await caches.open(CACHE);
  await cache.addAll(PRECACHED.map((url) => new Request(url, { cache: 'reload' })));
}

/** Drops the caches of earlier versions once this one is in charge. */
export async function dropOldCaches(): Promise<void> {
  for (const key of await caches.keys()) {
    if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
  }
}
