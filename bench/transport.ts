/**
 * What HTTPS costs a sync, and what HTTP/2 gives back: the same image uploads (one PUT
 * /api/blobs/:sha256 each, PARALLEL_UPLOADS at a time, as the PWA sends photos up to 4 MiB) to
 * one Loupe server process, over
 *   (a) plain HTTP/1.1 on loopback (the reference: what every earlier benchmark measured),
 *   (b) HTTPS with HTTP/1.1 (keep-alive, PARALLEL_UPLOADS connections, as a browser opens),
 *   (c) HTTPS with HTTP/2 (one connection, PARALLEL_UPLOADS streams),
 * the certificate issued by the server's own CA for `loupe.lan`. The three take turns, 50 images
 * at a time, each with its own images (a hash the server has is answered without storing), so
 * all meet the same load. Not part of CI; numbers only.
 *
 *   npx tsx bench/transport.ts [imagesPerTransport=300] [rounds=2]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { freePort, startChildServer } from '../test/e2e/sync-child-server';
import { PARALLEL_UPLOADS, pool } from '../web/lib/sync/dataset-sync';

const [perTransport = 300, rounds = 2] = process.argv.slice(2).map(Number);
const SLICE = 50;
type Image = { sha256: string; body: Buffer };
type Transport = { name: string; put: (image: Image) => Promise<void>; close: () => void };

async function images(count: number, seed: number): Promise<Image[]> {
  const dir = join(tmpdir(), `loupe-transport-bench-${count}-${seed}`);
  mkdirSync(dir, { recursive: true });
  const out: Image[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `${i}.jpg`);
    if (!existsSync(path)) {
      const noise = {
        type: 'gaussian' as const,
        mean: 64 + ((i * 7 + seed * 31) % 128),
        sigma: 50,
      };
      const create = { width: 720, height: 540, channels: 3 as const, noise, background: '#000' };
      writeFileSync(path, await sharp({ create }).jpeg({ quality: 92 }).toBuffer());
    }
    const body = readFileSync(path);
    out.push({ sha256: createHash('sha256').update(body).digest('hex'), body });
  }
  return out;
}

const expectCreated = (status: number | undefined) => {
  if (status !== 201) throw new Error(`PUT answered ${status}`);
};

function http1(name: string, port: number, token: string, ca: string | null): Transport {
  const agent = ca
    ? new HttpsAgent({
        keepAlive: true,
        maxSockets: PARALLEL_UPLOADS,
        ca,
        servername: 'loupe.lan',
        ALPNProtocols: ['http/1.1'],
      })
    : new HttpAgent({ keepAlive: true, maxSockets: PARALLEL_UPLOADS });
  const send = ca ? httpsRequest : httpRequest;
  const host = ca ? 'loupe.lan' : '127.0.0.1';
  return {
    name,
    put: (image) =>
      new Promise<void>((done, fail) => {
        const req = send({
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: `/api/blobs/${image.sha256}`,
          agent,
          headers: {
            host: `${host}:${port}`,
            authorization: `Bearer ${token}`,
            'content-type': 'image/jpeg',
            'content-length': image.body.length,
          },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => {
            try {
              expectCreated(res.statusCode);
              done();
            } catch (e) {
              fail(e as Error);
            }
          });
        });
        req.on('error', fail);
        req.end(image.body);
      }),
    close: () => agent.destroy(),
  };
}

function http2(port: number, token: string, ca: string): Transport {
  const session: ClientHttp2Session = http2Connect(`https://127.0.0.1:${port}`, {
    ca,
    servername: 'loupe.lan',
  });
  return {
    name: 'HTTPS, HTTP/2',
    put: (image) =>
      new Promise<void>((done, fail) => {
        const stream = session.request({
          ':method': 'PUT',
          ':path': `/api/blobs/${image.sha256}`,
          ':authority': `loupe.lan:${port}`,
          authorization: `Bearer ${token}`,
          'content-type': 'image/jpeg',
          'content-length': image.body.length,
        });
        stream.on('response', (h) => {
          try {
            expectCreated(Number(h[':status']));
          } catch (e) {
            fail(e as Error);
          }
        });
        stream.on('error', fail);
        stream.resume();
        stream.on('end', () => done());
        stream.end(image.body);
      }),
    close: () => session.close(),
  };
}

function serverCpu(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(round: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-transport-'));
  const port = await freePort();
  const server = await startChildServer(dataDir, port, {
    LOUPE_TLS: 'on',
    LOUPE_TLS_NAMES: 'loupe.lan',
  });
  const ca = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
  const transports = [
    http1('plain HTTP/1.1', port, server.token, null),
    http1('HTTPS, HTTP/1.1', port, server.token, ca),
    http2(port, server.token, ca),
  ];
  const sets = await Promise.all(transports.map((_, i) => images(perTransport, round * 10 + i)));
  const totals = transports.map(() => ({ seconds: 0, bytes: 0, serverCpu: 0 }));
  for (let start = 0; start < perTransport; start += SLICE) {
    for (const [i, t] of transports.entries()) {
      const slice = sets[i]!.slice(start, start + SLICE);
      const cpu0 = serverCpu(server.process.pid!);
      const t0 = performance.now();
      await pool(slice, PARALLEL_UPLOADS, (image) => t.put(image));
      totals[i]!.seconds += (performance.now() - t0) / 1000;
      totals[i]!.serverCpu += serverCpu(server.process.pid!) - cpu0;
      totals[i]!.bytes += slice.reduce((n, im) => n + im.body.length, 0);
    }
  }
  for (const t of transports) t.close();
  await server.kill();
  rmSync(dataDir, { recursive: true, force: true });
  const ref = totals[0]!.bytes / totals[0]!.seconds;
  console.log(`\nround ${round + 1} (load ${loadavg()[0]!.toFixed(1)}, ${cpus().length} cores)`);
  console.log('| transport | MB/s | of plain HTTP/1.1 | server CPU ms per image |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [i, t] of transports.entries()) {
    const rate = totals[i]!.bytes / totals[i]!.seconds;
    console.log(
      `| ${t.name} | ${(rate / 1e6).toFixed(1)} | ${(rate / ref).toFixed(2)} | ${((totals[i]!.serverCpu * 1000) / perTransport).toFixed(1)} |`,
    );
  }
}

console.log(`${perTransport} noise JPEGs (720x540) per transport, ${PARALLEL_UPLOADS} at a time`);
for (let r = 0; r < rounds; r++) await run(r);
