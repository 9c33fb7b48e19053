import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { createApi } from './app';
import type { Env } from './env';
import { listen } from './http/listen';
import { securityHeaders } from './http/security-headers';
import { webApp } from './http/web-app';
import { lanPlainApp, trustRoutes } from './onboarding/onboarding.routes';
import { BlobStore } from './repositories/blob-store';
import { openDatabase } from './repositories/database';
import { loadOrCreateTokens } from './repositories/tokens';
import { runnerWorkDir, startLocalRunner } from './runner-process';
import { createServices } from './services';
import { systemClock } from './services/clock';
import { startJobWebhook } from './services/job-webhook';
import { isLoopbackName, hostWithoutPort, urlHost } from './tls/machine-names';
import { setUpTls, type TlsState } from './tls/tls-setup';

/** How often the certificate is checked against the machine's addresses (DHCP moves them). */
const CERTIFICATE_CHECK_MS = 10 * 60_000;

/** Opens the data directory, serves the API and the PWA on one port, and starts the local runner. */
export async function startServer(env: Env) {
  mkdirSync(env.dataDir, { recursive: true });
  // First: a certificate that cannot be used stops the start before anything else is opened.
  const tls = await setUpTls(env.host, env.tls, env.dataDir, systemClock);
  for (const line of tls?.notices ?? []) console.log(`server: ${line}`);
  const db = openDatabase(join(env.dataDir, 'loupe.sqlite'));
  const blobStore = new BlobStore(join(env.dataDir, 'blobs'));
  const staleFiles = await blobStore.init();
  if (staleFiles > 0) {
    console.log(`server: removed ${staleFiles} unfinished upload file(s) of an earlier run`);
  }
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
  const app = new Hono()
    .use(securityHeaders())
    .route('/', trustRoutes(tls, services.connect).app)
    .route('/', createApi(services, tokens))
    .route('/', webApp(env.webDir));
  const plain = plainHttp(app, tls, services);
  const listening = await listen({
    port: env.port,
    host: env.host,
    secure: app.fetch,
    plain,
    tls: tls ? { ...tls.credentials, http2: env.tls.http2 } : null,
  });
  const port = listening.port;
  services.connect.attach({ host: env.host, port, tls, trustProxy: env.tls.trustProxy });
  const url = localUrl(env.host, port, tls);
  const certificateCheck = tls
    ? setInterval(() => void refreshCertificate(tls, listening), CERTIFICATE_CHECK_MS)
    : null;
  certificateCheck?.unref();

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
    port,
    tls,
    tokens,
    services,
    close: async () => {
      stopWebhook?.();
      stopUploadExpiry();
      await runner?.stop();
      services.live.closeAll();
      if (certificateCheck) clearInterval(certificateCheck);
      await listening.close();
      db.close();
    },
  };
}

/**
 * Plain http, when TLS is on: the whole app for loopback (the local gpu-runner, and a browser on
 * this machine, which treats localhost as secure), the phone set-up page and redirects to https
 * for everyone else. Without TLS, the whole app.
 */
function plainHttp(app: Hono, tls: TlsState | null, services: ReturnType<typeof createServices>) {
  if (!tls) return app.fetch;
  const lan = lanPlainApp(tls, services.connect);
  return (request: Request, bindings: HttpBindings | Http2Bindings) => {
    const host = hostWithoutPort(request.headers.get('host') ?? '');
    const peer = bindings.incoming.socket.remoteAddress ?? '';
    const loopback = isLoopbackName(host) && isLoopbackName(peer.replace(/^::ffff:/, ''));
    return loopback ? app.fetch(request, bindings) : lan.fetch(request, bindings);
  };
}

/**
 * The address printed for this machine's own browser: loopback over plain http where the server
 * listens there (browsers treat localhost as secure, and need not trust the CA), else the host.
 */
function localUrl(host: string, port: number, tls: TlsState | null) {
  if (host === '0.0.0.0' || host === '::' || !host) return `http://localhost:${port}`;
  return `${tls && !isLoopbackName(host) ? 'https' : 'http'}://${urlHost(host)}:${port}`;
}

async function refreshCertificate(
  tls: TlsState,
  listening: { setCredentials: (c: TlsState['credentials']) => void },
) {
  try {
    const next = await tls.refresh();
    if (next) listening.setCredentials(next);
  } catch (error) {
    console.error('server: could not renew the HTTPS certificate; the current one stays', error);
  }
}
