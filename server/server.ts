import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createApi } from './app';
import type { Env } from './env';
import { webApp } from './http/web-app';
import { BlobStore } from './repositories/blob-store';
import { openDatabase } from './repositories/database';
import { loadOrCreateTokens } from './repositories/tokens';
import { runnerWorkDir, startLocalRunner } from './runner-process';
import { createServices } from './services';
import { systemClock } from './services/clock';
import { startJobWebhook } from './services/job-webhook';

/** Opens the data directory, serves the API and the PWA on one port, and starts the local runner. */
export async function startServer(env: Env) {
  mkdirSync(env.dataDir, { recursive: true });
  const db = openDatabase(join(env.dataDir, 'loupe.sqlite'));
  const blobStore = new BlobStore(join(env.dataDir, 'blobs'));
  await blobStore.init();
  const tokens = loadOrCreateTokens(env.dataDir);
  const services = createServices({
    db,
    blobStore,
    clock: systemClock,
    leaseSeconds: env.leaseSeconds,
    maxBlobBytes: env.maxBlobBytes,
    trustedWeights: env.trustedWeights,
    pretrained: {
      folder: env.pretrainedDir,
      label: env.pretrainedLabel,
      pins: env.pretrainedPins,
      download: env.pretrainedDownload,
    },
    limits: env.limits,
    uploadExpiryMs: env.uploadExpiryHours * 3_600_000,
  });
  // Uploads that finished as the server died are adopted; unfinished ones expire (hourly check).
  await services.uploads.recover();
  const stopUploadExpiry = services.uploads.expireEvery(3_600_000);
  const app = new Hono().route('/', createApi(services, tokens)).route('/', webApp(env.webDir));

  const server = serve({ fetch: app.fetch, port: env.port, hostname: env.host });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://${env.host === '0.0.0.0' ? 'localhost' : env.host}:${port}`;

  const stopWebhook = env.webhookUrl
    ? startJobWebhook(services.bus, env.webhookUrl, url, (id) => services.jobs.get(id))
    : null;

  const runner =
    env.runner === 'local'
      ? startLocalRunner({
          python: env.runnerPython,
          serverUrl: `http://127.0.0.1:${port}`,
          runnerToken: tokens.runnerToken,
          workDir: runnerWorkDir(env.dataDir),
        })
      : null;

  return {
    url,
    tokens,
    services,
    close: async () => {
      stopWebhook?.();
      stopUploadExpiry();
      await runner?.stop();
      services.live.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
