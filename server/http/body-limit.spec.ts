import { request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, testImageSha, type TestApi } from '../testing/test-server';

/** These run against a real listening socket: app.request() has no chunked framing to test. */
let t: TestApi;
let server: Server;
let port: number;

beforeEach(async () => {
  t = await createTestApi(60, [], {
    maxBlobBytes: 256 * 1024,
    limits: { maxJsonBytes: 64 * 1024 },
  });
  server = serve({ fetch: t.api.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.close();
});

/**
 * Streams an endless chunked body (no Content-Length) until the server answers, and returns the
 * answer with how many bytes were sent by then. A server that buffered the whole body would
 * never answer; the test's timeout would fail it.
 */
function sendEndless(method: string, path: string) {
  return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const req = request({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers: {
        authorization: 'Bearer user-token',
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
    });
    const pump = () => {
      while (!answered && sent < 512 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, sent });
      });
    });
    // The server may close the socket once it answered; that is not a failure of the test.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    pump();
  });
}

/** Writes raw HTTP, so the headers can be what no well-behaved client would send. */
function rawRequest(head: string) {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (reply += d));
    socket.on('close', () => resolve(reply));
    socket.on('error', () => resolve(reply));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe('request bodies over the limit', () => {
  it('a chunked JSON body with no Content-Length is answered 413 once past the limit', async () => {
    const res = await sendEndless('POST', '/api/dataset-versions');
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toMatch(/over 65536 bytes/);
    expect(res.sent).toBeLessThan(64 * 1024 * 1024);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
  });

  it('a chunked PUT of a blob is answered 413 once past the limit, and nothing is kept', async () => {
    const res = await sendEndless('PUT', `/api/blobs/${testImageSha}`);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('too_large');
    expect(res.sent).toBeLessThan(64 * 1024 * 1024);
    expect(t.db.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 0 });
  });

  it('a Content-Length over the limit is answered 413 before any body is sent', async () => {
    const reply = await rawRequest(
      'POST /api/dataset-versions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer user-token\r\n' +
        'Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
  });

  it('a malformed Content-Length is answered 400 and the connection closed', async () => {
    for (const value of ['12abc', '-5', '10, 20']) {
      const reply = await rawRequest(
        `POST /api/dataset-versions HTTP/1.1\r\nHost: x\r\nContent-Length: ${value}\r\n\r\n{}`,
      );
      expect(reply, value).toMatch(/^HTTP\/1\.1 400/);
    }
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
  });
});
