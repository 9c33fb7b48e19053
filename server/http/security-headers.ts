import type { MiddlewareHandler } from 'hono';

/**
 * What every page may never do, whatever the page's own policy says: be framed (clickjacking),
 * load plugins, or move its base URL. A `<meta>` policy cannot carry frame-ancestors, so these
 * travel as a header; the app's full page policy is in index.html (svelte.config.js, kit.csp).
 */
const PAGE_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

/**
 * Everything else (API answers, scripts, models): a script served here may start a worker, and
 * a worker's policy is the one its own response carries, so this is the workers' policy: our own
 * scripts and WebAssembly (onnxruntime-web), requests to this origin only.
 */
const RESOURCE_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  PAGE_POLICY,
].join('; ');

/**
 * Headers that keep the token and the pages to this origin: no page of Loupe inside another
 * site's frame, no content sniffing of uploads, and no Referer at all (the first page load
 * carries `?token=` in its address until the app moves it into storage; with no-referrer, none
 * of that page's requests repeat it).
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const html = (c.res.headers.get('content-type') ?? '').startsWith('text/html');
    c.header('Content-Security-Policy', html ? PAGE_POLICY : RESOURCE_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
  };
}
