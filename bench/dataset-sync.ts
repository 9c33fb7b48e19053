/**
 * Dataset sync against a plain HTTP upload of the same bytes, in one run, each into its own
 * fresh Loupe server process (server/main.ts), with that process's memory sampled throughout:
 *   (a) reference: PUT /api/blobs/:sha256 per image, as many at a time as the sync client sends;
 *   (b) first sync: POST /api/blobs/missing, the missing images over tus, POST /api/dataset-versions;
 *   (c) re-sync of the unchanged dataset to the server of (b): what is sent, and how long it takes.
 * The PWA's sync (web/lib/sync/dataset-sync.ts) reads its images from IndexedDB and hands tus a
 * Blob, which tus-js-client's Node build does not take; this drives the same steps with the same
 * library, the PWA's settings (imported from its modules) and the typed API client, from files.
 * Not part of CI; numbers only.
 *
 *   npx tsx bench/dataset-sync.ts [images=1000] [rounds=2]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hc } from 'hono/client';
import sharp from 'sharp';
import { DefaultHttpStack, Upload } from 'tus-js-client';
import type { AppType } from '../server/app';
import type { DatasetManifest, DatasetVersion } from '../server/contract';
import { freePort, startChildServer, type ChildServer } from '../test/e2e/sync-child-server';
import { CHUNK_BYTES, RETRY_DELAYS, UPLOADS_ENDPOINT } from '../web/lib/sync/blob-upload';
import { PARALLEL_UPLOADS } from '../web/lib/sync/dataset-sync';

const [count = 1000, rounds = 2] = process.argv.slice(2).map(Number);
const MB = 1e6;

// --- the dataset: noise JPEGs (they do not compress), made once and kept in the OS temp dir ---

type Image = { sha256: string; fileName: string; path: string; bytes: number };
const WIDTH = 720;
const HEIGHT = 540;

async function dataset(): Promise<Image[]> {
  const dir = join(tmpdir(), `loupe-sync-bench-${count}-${WIDTH}x${HEIGHT}`);
  const index = join(dir, 'images.json');
  if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as Image[];
  mkdirSync(dir, { recursive: true });
  console.log(`making ${count} noise JPEGs in ${dir} (once)`);
  const images: Image[] = [];
  for (let i = 0; i < count; i++) {
    const noise = { type: 'gaussian' as const, mean: 96 + (i % 64), sigma: 50 };
    const create = {
      width: WIDTH,
      height: HEIGHT,
      channels: 3 as const,
      noise,
      background: '#000',
    };
    const jpeg = await sharp({ create }).jpeg({ quality: 92 }).toBuffer();
    const fileName = `card-${String(i).padStart(4, '0')}.jpg`;
    const path = join(dir, fileName);
    writeFileSync(path, jpeg);
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    images.push({ sha256, fileName, path, bytes: jpeg.length });
  }
  writeFileSync(index, JSON.stringify(images)); // last: its presence says the set is complete
  return images;
}

const manifestOf = (images: Image[]): DatasetManifest => ({
  name: 'sync bench',
  task: 'detect',
  classes: ['card'],
  images: images.map((i) => ({
    sha256: i.sha256,
    fileName: i.fileName,
    width: WIDTH,
    height: HEIGHT,
    boxes: [{ classIndex: 0, x: 0.1, y: 0.1, w: 0.8, h: 0.8 }],
  })),
});

// --- measuring ---

/** Every byte the client writes to its sockets (request lines, headers, bodies). */
function countingAgent() {
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const create = agent.createConnection.bind(agent) as (...a: unknown[]) => Socket;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    sockets.add(socket);
    return socket;
  }) as typeof agent.createConnection;
  return {
    agent,
    written: () => [...sockets].reduce((n, s) => n + s.bytesWritten, 0),
    close: () => agent.destroy(),
  };
}

/** The server process's resident memory (VmRSS), sampled every 100 ms. */
function sampleRss(pid: number) {
  const read = () =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  const start = read();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, read())), 100);
  return () => {
    clearInterval(timer);
    const end = read();
    return { start, peak: Math.max(peak, end), end };
  };
}
type Rss = ReturnType<ReturnType<typeof sampleRss>>;

/** CPU seconds (user + system) the server process has used so far. */
function serverCpu(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

const clientCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Runs `job` over `items`, `width` at a time, as the sync client's upload workers do. */
async function pool<T>(items: T[], width: number, job: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await job(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

// --- (a) the reference: one plain PUT per image ---

function put(server: ChildServer, agent: Agent, image: Image, body: Buffer) {
  return new Promise<void>((done, fail) => {
    const req = request(`${server.url}/api/blobs/${image.sha256}`, {
      method: 'PUT',
      agent,
      headers: {
        authorization: `Bearer ${server.token}`,
        'content-type': 'image/jpeg',
        'content-length': body.length,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 201 ? done() : fail(new Error(`PUT answered ${res.statusCode}`)),
      );
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function plainUpload(server: ChildServer, images: Image[]) {
  const wire = countingAgent();
  const t0 = performance.now();
  await pool(images, PARALLEL_UPLOADS, async (image) =>
    put(server, wire.agent, image, await readFile(image.path)),
  );
  const seconds = (performance.now() - t0) / 1000;
  wire.close();
  return { seconds, wireBytes: wire.written() };
}

// --- (b) and (c): the sync protocol, with the PWA's settings ---

/** web/lib/sync/blob-upload.ts's uploadImage, for a Buffer in Node. */
function tusUpload(server: ChildServer, agent: Agent, sha256: string, body: Buffer) {
  return new Promise<void>((resolve, reject) => {
    const upload = new Upload(body, {
      endpoint: `${server.url}${UPLOADS_ENDPOINT}`,
      metadata: { sha256, filetype: 'image/jpeg' },
      headers: { authorization: `Bearer ${server.token}` },
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS,
      httpStack: new DefaultHttpStack({ agent }),
      fingerprint: () => Promise.resolve(`loupe-upload-${sha256}`),
      onAfterResponse: (req, res) => {
        if (req.getMethod() !== 'POST' || res.getStatus() !== 200) return;
        void upload.abort(false);
        resolve();
      },
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
}

async function sync(server: ChildServer, images: Image[]) {
  const wire = countingAgent();
  let jsonBytes = 0;
  const api = hc<AppType>(server.url, {
    headers: { authorization: `Bearer ${server.token}` },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      jsonBytes += typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0;
      return fetch(input, init);
    },
  }).api;
  const byHash = new Map(images.map((i) => [i.sha256, i]));
  const manifest = manifestOf(images);
  const t0 = performance.now();
  const planned = await api.blobs.missing.$post({
    json: { sha256s: manifest.images.map((i) => i.sha256) },
  });
  if (!planned.ok) throw new Error(`missing answered ${planned.status}`);
  const { missing } = await planned.json();
  const t1 = performance.now();
  await pool(missing, PARALLEL_UPLOADS, async (sha256) =>
    tusUpload(server, wire.agent, sha256, await readFile(byHash.get(sha256)!.path)),
  );
  const t2 = performance.now();
  const sealed = await api['dataset-versions'].$post({ json: manifest });
  if (!sealed.ok) throw new Error(`seal answered ${sealed.status}: ${await sealed.text()}`);
  const version = (await sealed.json()) as DatasetVersion;
  const t3 = performance.now();
  wire.close();
  return {
    seconds: (t3 - t0) / 1000,
    steps: { plan: (t1 - t0) / 1000, upload: (t2 - t1) / 1000, seal: (t3 - t2) / 1000 },
    uploaded: missing.length,
    uploadWireBytes: wire.written(),
    jsonBytes,
    versionId: version.id,
  };
}

// --- one round: three phases, each against a fresh (or the same) server process ---

const work = mkdtempSync(join(tmpdir(), 'loupe-sync-bench-run-'));
const servers: ChildServer[] = [];

async function server(name: string) {
  const s = await startChildServer(join(work, name), await freePort());
  servers.push(s);
  return s;
}

type Measured<T> = T & { rss: Rss; cpu: { server: number; client: number } };

/** SIGTERM: the server shuts down as it would for a user (and writes a --cpu-prof profile). */
async function stop(s: ChildServer) {
  if (s.process.exitCode !== null || s.process.signalCode !== null) return;
  const exited = new Promise((done) => s.process.once('exit', done));
  s.process.kill('SIGTERM');
  await exited;
}

async function measured<T>(s: ChildServer, phase: () => Promise<T>): Promise<Measured<T>> {
  const pid = s.process.pid!;
  const stop = sampleRss(pid);
  const [server0, client0] = [serverCpu(pid), clientCpu()];
  const result = await phase();
  const cpu = { server: serverCpu(pid) - server0, client: clientCpu() - client0 };
  return { ...result, rss: stop(), cpu };
}

async function round(images: Image[], r: number) {
  const reference = await server(`plain-${r}`);
  const target = await server(`sync-${r}`);
  const a = await measured(reference, () => plainUpload(reference, images));
  const b = await measured(target, () => sync(target, images));
  const c = await measured(target, () => sync(target, images));
  if (b.uploaded !== images.length) throw new Error(`first sync uploaded ${b.uploaded} images`);
  if (c.versionId !== b.versionId) throw new Error('the re-sync sealed another version');
  await Promise.all([stop(reference), stop(target)]);
  rmSync(join(work, `plain-${r}`), { recursive: true, force: true });
  rmSync(join(work, `sync-${r}`), { recursive: true, force: true });
  return { a, b, c };
}

// --- report ---

const mib = (r: Rss) => `${r.start.toFixed(0)} / ${r.peak.toFixed(0)} / ${r.end.toFixed(0)}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const images = await dataset();
  const total = images.reduce((n, i) => n + i.bytes, 0);
  const load0 = loadavg();
  console.log(
    `${images.length} images, ${(total / MB).toFixed(1)} MB; ${PARALLEL_UPLOADS} uploads at a ` +
      `time, tus chunks of ${CHUNK_BYTES / 1024 / 1024} MiB; rounds: ${rounds}`,
  );
  const results = [];
  for (let r = 0; r < rounds; r++) results.push(await round(images, r));
  const load1 = loadavg();

  const rows = results.map(({ a, b, c }, r) => {
    const plain = total / MB / a.seconds;
    const synced = total / MB / b.seconds;
    return {
      round: r + 1,
      plainMBs: plain,
      syncMBs: synced,
      ratio: synced / plain,
      b,
      c,
      a,
    };
  });
  const lines = [
    `| round | (a) plain PUT MB/s | (b) first sync MB/s | ratio (b)/(a) | (b) plan / upload / seal s | (c) re-sync s | (c) image bytes sent | (c) JSON bytes sent | RSS MiB start / peak / end (a) | (b) | (c) |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows.map(
      (x) =>
        `| ${x.round} | ${x.plainMBs.toFixed(1)} | ${x.syncMBs.toFixed(1)} | ${x.ratio.toFixed(2)} | ` +
        `${x.b.steps.plan.toFixed(2)} / ${x.b.steps.upload.toFixed(2)} / ${x.b.steps.seal.toFixed(2)} | ` +
        `${x.c.seconds.toFixed(2)} | ${x.c.uploadWireBytes} | ${x.c.jsonBytes} | ` +
        `${mib(x.a.rss)} | ${mib(x.b.rss)} | ${mib(x.c.rss)} |`,
    ),
  ];
  const cpu = (m: { cpu: { server: number; client: number } }) =>
    `server ${m.cpu.server.toFixed(1)} s, client ${m.cpu.client.toFixed(1)} s`;
  const overhead = rows.flatMap((x) => [
    `round ${x.round}: bytes on the wire per image byte, (a) ${(x.a.wireBytes / total).toFixed(4)}, ` +
      `(b) ${(x.b.uploadWireBytes / total).toFixed(4)} + JSON ${x.b.jsonBytes} bytes`,
    `round ${x.round}: CPU time (a) ${cpu(x.a)}; (b) ${cpu(x.b)}; (c) ${cpu(x.c)}`,
  ]);
  console.log(
    [
      '',
      `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
      `load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, ` +
        `at end ${load1.map((l) => l.toFixed(2)).join(' ')}`,
      '',
      ...lines,
      '',
      ...overhead,
      rounds > 1 ? `mean ratio (b)/(a): ${mean(rows.map((x) => x.ratio)).toFixed(2)}` : '',
    ].join('\n'),
  );
}

try {
  await main();
} finally {
  await Promise.all(servers.map((s) => s.kill()));
  rmSync(work, { recursive: true, force: true });
}
