import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { apiRouteNotFound } from './app-error';

/**
 * Serves the built PWA. Pages are cross-origin isolated so onnxruntime-web may use threads;
 * hashed build assets are immutable; any other path gets index.html (the app routes itself),
 * except paths under /api: a mounted sub-app's notFound is not used by its parent, so an unknown
 * API path would otherwise fall through to here and answer 200 with HTML.
 */
export function webApp(webDir: string) {
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Embedder-Policy', 'require-corp');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (c.req.path.startsWith('/_app/immutable/')) {
      c.header('Cache-Control', 'public, max-age=31536000, immutable');
    }
  });
  app.all('/api', apiRouteNotFound);
  app.all('/api/*', apiRouteNotFound);
  app.use('*', serveStatic({ root: webDir }));
  app.get('*', async (c) => {
    const index = await readFile(join(webDir, 'index.html'), 'utf8').catch(() => null);
    if (index === null) {
      return c.text(
        'The web app is not built. Run "npm start" (it builds it) or "npm run build".',
        503,
      );
    }
    c.header('Cache-Control', 'no-cache');
    return c.html(index);
  });
  return app;
}
