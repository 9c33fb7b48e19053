import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** The PWA lives in web/; the built files land in build/, which the Hono server serves. */
// Read here, not in server/env.ts: this file configures the build tool, not the server.
const buildDir = process.env.LOUPE_BUILD_DIR ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: every route renders in the browser, so it works offline from the cache.
    // LOUPE_BUILD_DIR lets a test build a second app version beside the first (test/e2e/app-update).
    adapter: adapter({ pages: buildDir, assets: buildDir, fallback: 'index.html' }),
    files: {
      src: 'web',
      lib: 'web/lib',
      routes: 'web/routes',
      appTemplate: 'web/app.html',
      assets: 'static',
      serviceWorker: 'web/service-worker',
    },
    typescript: {
      // One type-check covers the server too: the web client is typed from it.
      config: (tsconfig) => {
        tsconfig.include.push('../server/**/*.ts', '../bench/**/*.ts');
      },
    },
    // workbox-window registers the service worker, so it can offer "reload for the new version".
    serviceWorker: { register: false },
    alias: {
      $contract: 'server/contract',
    },
  },
};

export default config;
