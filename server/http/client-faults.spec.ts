import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readEnv } from '../env';
import { startServer } from '../server';

let dataDir: string;
let server: Awaited<ReturnType<typeof startServer>>;
let userToken: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'loupe-faults-'));
  server = await startServer(
    readEnv({
      LOUPE_PORT: '0',
      LOUPE_HOST: '127.0.0.1',
      LOUPE_TLS: 'off',
      LOUPE_DATA_DIR: dataDir,
      LOUPE_RUNNER: 'off',
      LOUPE_WEB_DIR: resolve('build'),
    }),
  );
  userToken = (
    JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8')) as {
      userToken: string;
    }
  ).userToken;
});
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openSocket(): Promise<Socket> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((done) => socket.once('connect', done));
  return socket;
}

describe('requests the client breaks off or garbles', () => {
  it('logs a photo upload the client abandons as such, and keeps none of its bytes', async () => {
    const log = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const socket = await openSocket();
    const head =
      `PUT /api/blobs/${'a'.repeat(64)} HTTP/1.1\r\nHost: loupe\r\n` +
      `Authorization: Bearer ${userToken}\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n`;
    socket.write(head + 'x'.repeat(1000));
    // The bytes reached a temporary file before the phone lost its network.
    const tmp = join(dataDir, 'blobs', 'tmp');
    await expect.poll(() => readdirSync(tmp).length).toBe(1);
    socket.destroy();
    await expect
      .poll(() => log.mock.calls.flat().join('\n'))
      .toMatch(/client closed PUT \/api\/blobs\/a+ before it finished/);
    expect(readdirSync(tmp)).toEqual([]);
    expect(errors.mock.calls.flat().join('\n')).not.toMatch(/unexpected error/);
    log.mockRestore();
    errors.mockRestore();
  });

  it("answers a request Node cannot parse with the API's JSON error", async () => {
    const socket = await openSocket();
    const reply = new Promise<string>((done) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => done(text));
    });
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const [head, body] = (await reply).split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(head).toMatch(/Content-Type: application\/json/);
    expect(JSON.parse(body!)).toMatchObject({
      error: { code: 'malformed_request', message: expect.stringMatching(/HPE_/) },
    });
  });
});
