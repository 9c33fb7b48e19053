// How requests are answered. The app shell and the hashed build files come from the cache first
// (the cache holds exactly one consistent version; updates arrive through a new service worker
// and the page's update prompt). The API and anything not precached go to the network untouched:
// labels live in IndexedDB, never in this cache.
import { CACHE, isPrecached, SHELL_URL } from './precache';

const SERVER_PAGES = new Set(['/setup', '/ca.crt', '/loupe-ca.mobileconfig']);

/** The response to use, or null to let the browser fetch it as if there were no worker. */
export function route(request: Request, origin: string): Promise<Response> | null {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== origin || url.pathname.startsWith('/api/')) return null;
  // The server's own pages (the phone set-up steps and the CA files), not the app's.
  if (SERVER_PAGES.has(url.pathname)) return null;
  if (request.mode === 'navigate') return fromCache(SHELL_URL, request);
  if (isPrecached(url.pathname)) return fromCache(url.pathname, request);
  // Files a worker bundle pulls in (onnxruntime's .wasm/.mjs) are missing from SvelteKit's build
  // list; their names carry a content hash, so the copy kept on first use is never stale.
  if (url.pathname.startsWith('/_app/immutable/')) return keptOnFirstUse(request);
  return null;
}

async function keptOnFirstUse(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** The cached copy; the network only if the cache lost it (storage pressure, a manual clear). */
async function fromCache(key: string, request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreSearch: true });
  if (hit) return hit;
  return request.mode === 'navigate' ? fetch(SHELL_URL) : fetch(request);
}
