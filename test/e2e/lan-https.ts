import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readEnv } from '../../server/env';
import { startServer } from '../../server/server';
import { CHROMIUM_FLAGS } from './browser';

/** The name a phone would use; Chromium resolves it to this machine (it is on no DNS). */
export const LAN_NAME = 'loupe.lan';

/**
 * Loupe as a phone on the same network meets it: HTTPS with the certificate its own local CA
 * issued for `loupe.lan`, plain http on the same port for the set-up page. No gpu-runner unless
 * `runner` (then the local one, as `npm start` runs it, on loopback http and with no internet).
 */
export async function startLanLoupe({ runner = false }: { runner?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-lan-'));
  const server = await startServer(
    readEnv({
      LOUPE_PORT: '0',
      LOUPE_HOST: '127.0.0.1',
      LOUPE_TLS: 'on',
      LOUPE_TLS_NAMES: LAN_NAME,
      LOUPE_DATA_DIR: dataDir,
      LOUPE_WEB_DIR: resolve('build'),
      ...(runner
        ? {
            LOUPE_RUNNER: 'local',
            LOUPE_RUNNER_PYTHON: resolve('gpu-runner/.venv/bin/python'),
            // Tests never reach the internet: a pretrained start needs the server's copy.
            LOUPE_PRETRAINED_DOWNLOAD: 'off',
          }
        : { LOUPE_RUNNER: 'off' }),
    }),
  );
  return {
    ...server,
    dataDir,
    /** The app's address on the phone: https, a LAN name, not loopback. */
    origin: `https://${LAN_NAME}:${server.port}`,
    /** The set-up page's address, as the QR code carries it. */
    onboarding: `http://${LAN_NAME}:${server.port}/`,
    caPath: join(dataDir, 'tls', 'ca.crt'),
    /** Node talks to the API over loopback, which stays plain http for the local runner. */
    api: async <T>(path: string, init: RequestInit = {}): Promise<T> => {
      const res = await fetch(server.url + path, {
        ...init,
        headers: { authorization: `Bearer ${server.tokens.userToken}`, ...init.headers },
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium that trusts Loupe's CA the way a phone does after its set-up steps: the CA is added
 * to the NSS database under the browser's HOME (`certutil`, Debian's libnss3-tools). No
 * certificate-error flag: a service worker, for one, would not register behind one.
 */
export async function launchTrustingChromium(
  caPath: string,
  extraArgs: string[] = [],
): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'loupe-chromium-home-'));
  const nssdb = join(home, '.pki', 'nssdb');
  mkdirSync(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  execFileSync('certutil', [
    '-d',
    `sql:${nssdb}`,
    '-A',
    '-t',
    'C,,',
    '-n',
    'loupe-ca',
    '-i',
    caPath,
  ]);
  const browser = await chromium.launch({
    executablePath: process.env.LOUPE_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_FLAGS, `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`, ...extraArgs],
    env: { ...process.env, HOME: home },
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
