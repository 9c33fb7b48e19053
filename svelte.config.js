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
    // The page's policy, written into index.html with the hash of SvelteKit's one inline script:
    // no other inline or foreign script runs, so a label or class name that smuggled markup in
    // could not read the token. The server adds frame-ancestors (a <meta> cannot carry it) and
    // the policy of the worker scripts (server/http/security-headers.ts).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        // onnxruntime-web compiles its WebAssembly; nothing here evaluates JavaScript strings.
        'script-src': ['self', 'wasm-unsafe-eval'],
        'worker-src': ['self', 'blob:'],
        'connect-src': ['self', 'blob:', 'data:'],
        'img-src': ['self', 'blob:', 'data:'],
        'media-src': ['self', 'blob:'],
        // Svelte sets style attributes as it renders (and transitions add style rules).
        'style-src': ['self', 'unsafe-inline'],
        'font-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['none'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;
