import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectInfo, PairingCode } from '../contract';
import { readEnv } from '../env';
import { startServer } from '../server';

type Reply = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

let dataDir: string;
let server: Awaited<ReturnType<typeof startServer>>;
let ca: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'loupe-https-'));
  server = await startServer(
    readEnv({
      LOUPE_PORT: '0',
      LOUPE_HOST: '127.0.0.1',
      LOUPE_TLS: 'on',
      LOUPE_TLS_NAMES: 'loupe.lan',
      LOUPE_DATA_DIR: dataDir,
      LOUPE_RUNNER: 'off',
      LOUPE_WEB_DIR: resolve('build'),
    }),
  );
  ca = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
});
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Plain http to the server's port, as a phone on the LAN would send it (its Host header). */
function plain(
  path: string,
  host = 'loupe.lan',
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        headers: { host: `${host}:${server.port}`, ...headers },
      },
      (res) =>
        collect(res, (body) => done({ status: res.statusCode ?? 0, headers: res.headers, body })),
    );
    req.on('error', fail).end();
  });
}

/** HTTPS to `loupe.lan`, trusting only Loupe's CA, as a phone that did its set-up steps. */
function secure(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        servername: 'loupe.lan',
        port: server.port,
        path,
        ca,
        method: init.method ?? 'GET',
        headers: { host: `loupe.lan:${server.port}`, ...init.headers },
      },
      (res) =>
        collect(res, (body) => done({ status: res.statusCode ?? 0, headers: res.headers, body })),
    );
    req.on('error', fail).end(init.body);
  });
}

function collect(res: NodeJS.ReadableStream, done: (b: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(Buffer.concat(chunks)));
}

const auth = () => ({ authorization: `Bearer ${server.tokens.userToken}` });

describe('one port, two protocols', () => {
  it('serves the API over https for the names it covers, trusted through the local CA alone', async () => {
    const res = await secure('/api/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toMatchObject({ ok: true });
  });

  it('speaks HTTP/2 over TLS', async () => {
    const session = http2Connect(`https://127.0.0.1:${server.port}`, {
      ca,
      servername: 'loupe.lan',
    });
    const status = await new Promise<number>((done, fail) => {
      const stream = session.request({
        ':path': '/api/health',
        ':authority': `loupe.lan:${server.port}`,
      });
      stream.on('response', (h) => done(Number(h[':status'])));
      stream.on('error', fail);
      stream.end();
    });
    expect(status).toBe(200);
    expect(session.alpnProtocol).toBe('h2');
    session.close();
  });

  it('keeps the whole app on plain http for loopback (the local runner, this computer)', async () => {
    const res = await plain('/api/health', '127.0.0.1');
    expect(res.status).toBe(200);
  });
});

describe('plain http from the network', () => {
  it('shows the phone set-up page with the CA steps for Android and iOS and the https address', async () => {
    const res = await plain('/');
    expect(res.status).toBe(200);
    const html = res.body.toString();
    expect(html).toContain('Connect this phone to Loupe');
    expect(html).toContain('href="/ca.crt"');
    expect(html).toContain('href="/loupe-ca.mobileconfig"');
    expect(html).toMatch(/Android[\s\S]*CA certificate/);
    expect(html).toMatch(/Certificate Trust Settings/);
    expect(html).toContain(`https://loupe.lan:${server.port}/pair`);
    expect(html).not.toContain(server.tokens.userToken);
    expect(html).not.toContain('<script');
  });

  it('redirects everything else to https, without a token in the query', async () => {
    const res = await plain(`/datasets/abc?token=${server.tokens.userToken}&x=1`);
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://loupe.lan:${server.port}/datasets/abc?x=1`);
    const api = await plain('/api/pairing/codes', 'loupe.lan', auth());
    expect(api.status).toBe(308);
  });

  it('hands out the CA certificate (a valid CA) and an iOS profile holding it', async () => {
    const crt = await plain('/ca.crt');
    expect(crt.headers['content-type']).toBe('application/x-x509-ca-cert');
    const cert = new X509Certificate(crt.body);
    expect(cert.ca).toBe(true);
    expect(cert.fingerprint256).toBe(new X509Certificate(ca).fingerprint256);
    const profile = (await plain('/loupe-ca.mobileconfig')).body.toString();
    expect(profile).toContain('<string>com.apple.security.root</string>');
    expect(profile).toContain(cert.raw.toString('base64'));
  });

  it('never serves the CA key, by any path', async () => {
    const key = readFileSync(join(dataDir, 'tls', 'ca.key'));
    const keyBody = key.toString().split('\n')[1]!;
    const hash = createHash('sha256').update(key).digest('hex');
    const paths = [
      '/ca.key',
      '/tls/ca.key',
      '/data/tls/ca.key',
      '/../tls/ca.key',
      '/%2e%2e/tls/ca.key',
      '/..%2ftls%2fca.key',
      `/api/blobs/${hash}`,
      '/server.key',
      '/setup/../ca.key',
    ];
    for (const path of paths) {
      for (const res of [
        await plain(path),
        await plain(path, '127.0.0.1', auth()),
        await secure(path, { headers: auth() }),
      ]) {
        expect(res.body.toString()).not.toContain(keyBody);
        expect(res.body.toString()).not.toContain('PRIVATE KEY');
      }
    }
  });
});

describe('pairing a phone', () => {
  it('gives a code on a logged-in device and trades it once, over https, for the token', async () => {
    const issued = await secure('/api/pairing/codes', { method: 'POST', headers: auth() });
    expect(issued.status).toBe(201);
    const code = JSON.parse(issued.body.toString()) as PairingCode;
    expect(code.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(code.pairUrls[0]).toBe(`https://loupe.lan:${server.port}/pair#code=${code.code}`);

    const claim = (typed: string) =>
      secure('/api/pairing/claim', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: typed }),
      });
    const first = await claim(code.code.toLowerCase().replace('-', ' '));
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body.toString())).toEqual({ token: server.tokens.userToken });
    const again = await claim(code.code);
    expect(again.status).toBe(400);
    expect(JSON.parse(again.body.toString()).error.code).toBe('unknown_pairing_code');
  });

  it('tells the desktop how a phone connects', async () => {
    const res = await secure('/api/connect', { headers: auth() });
    const info = JSON.parse(res.body.toString()) as ConnectInfo;
    expect(info.transport).toBe('local-ca');
    expect(info.appUrls[0]).toBe(`https://loupe.lan:${server.port}`);
    expect(info.caFingerprint).toBe(new X509Certificate(ca).fingerprint256);
    expect(info.problem).toBeNull();
  });
});

describe("start-up with the operator's own certificate", () => {
  it('refuses a certificate that does not match its key, before listening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-own-'));
    try {
      const env = readEnv({
        LOUPE_PORT: '0',
        LOUPE_HOST: '127.0.0.1',
        LOUPE_TLS: 'on',
        LOUPE_DATA_DIR: dir,
        LOUPE_RUNNER: 'off',
        LOUPE_TLS_CERT: join(dataDir, 'tls', 'server.crt'),
        LOUPE_TLS_KEY: join(dataDir, 'tls', 'ca.key'),
        LOUPE_TLS_NAMES: 'loupe.lan',
      });
      await expect(startServer(env)).rejects.toThrow(/is not the key of LOUPE_TLS_CERT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
