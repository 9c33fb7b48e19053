import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: a real server, a real gpu-runner, real Chromium. They train a tiny
// model on the CPU, so they run one at a time and may take minutes; no test fails on speed.
export default defineConfig({
  test: {
    root: '.',
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
    expect: { poll: { timeout: 30_000, interval: 200 } },
  },
});
