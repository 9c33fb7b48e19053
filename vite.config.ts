import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

// onnxruntime-web multi-threads only when the page is cross-origin isolated.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    headers: isolationHeaders,
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  test: {
    include: ['web/**/*.spec.ts', 'server/**/*.spec.ts', 'test/contract/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
