import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

/**
 * Serves the built PWA. Pages are cross-origin isolated so onnxruntime-web may use threads;
 * hashed build assets are immutable; any other path gets index.html (the app routes itself).
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
