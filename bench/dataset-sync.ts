/**
 * Dataset sync against a plain HTTP upload of the same bytes, in one run, each into its own
 * fresh Loupe server process (server/main.ts), with that process's memory sampled throughout:
 *   (a) reference: PUT /api/blobs/:sha256 per image, as many at a time as the sync client sends;
 *   (b) first sync: POST /api/blobs/missing, the missing images as the PWA sends them (one PUT
 *       each up to one tus chunk, tus above), POST /api/dataset-versions;
 *   (c) re-sync of the unchanged dataset to the server of (b): what is sent, and how long it takes.
 * (a) and (b) take turns, 50 images at a time, so both meet the same load from other processes.
 * The PWA's sync (web/lib/sync/dataset-sync.ts) reads its images from IndexedDB and sends them
 * with XMLHttpRequest (PUT) or tus-js-client with a Blob, which Node lacks or tus' Node build does
 * not take; this drives the same steps (node:http for the PUT, the same tus library), with the
 * PWA's thresholds and parallelism (imported from its modules) and the typed API client.
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
import {
  CHUNK_BYTES,
  isResumableSize,
  RETRY_DELAYS,
  SINGLE_REQUEST_MAX_BYTES,
  UPLOADS_ENDPOINT,
} from '../web/lib/sync/blob-upload';
import { PARALLEL_RESUMABLE_UPLOADS, PARALLEL_UPLOADS, pool } from '../web/lib/sync/dataset-sync';

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

/** Plain PUTs, a slice of the images at a time (see `interleave`). */
function plainUpload(server: ChildServer) {
  const wire = countingAgent();
  return {
    upload: (images: Image[]) =>
      pool(images, PARALLEL_UPLOADS, async (image) =>
        put(server, wire.agent, image, await readFile(image.path)),
      ),
    close: () => {
      wire.close();
      return { wireBytes: wire.written() };
    },
  };
}

// --- (b) and (c): the sync protocol, with the PWA's settings ---

/** web/lib/sync/blob-upload.ts's tus path, for a Buffer in Node. */
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

/** The sync's steps: plan, the missing images a slice at a time (see `interleave`), seal. */
function syncSteps(server: ChildServer, images: Image[]) {
  const wire = countingAgent();
  let jsonBytes = 0;
  const api = hc<AppType>(server.url, {
    headers: { authorization: `Bearer ${server.token}` },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      jsonBytes += typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0;
      return fetch(input, init);
    },
  }).api;
  const manifest = manifestOf(images);
  let missing = new Set<string>();
  return {
    plan: async () => {
      const planned = await api.blobs.missing.$post({
        json: { sha256s: manifest.images.map((i) => i.sha256) },
      });
      if (!planned.ok) throw new Error(`missing answered ${planned.status}`);
      missing = new Set((await planned.json()).missing);
    },
    /** As web/lib/sync/dataset-sync.ts sends them: small images one PUT each, big ones tus. */
    upload: async (slice: Image[]) => {
      const wanted = slice.filter((i) => missing.has(i.sha256));
      const resumable = wanted.filter((i) => isResumableSize(i.bytes));
      await pool(
        wanted.filter((i) => !isResumableSize(i.bytes)),
        PARALLEL_UPLOADS,
        async (image) => put(server, wire.agent, image, await readFile(image.path)),
      );
      await pool(resumable, PARALLEL_RESUMABLE_UPLOADS, async (image) =>
        tusUpload(server, wire.agent, image.sha256, await readFile(image.path)),
      );
    },
    seal: async () => {
      const sealed = await api['dataset-versions'].$post({ json: manifest });
      if (!sealed.ok) throw new Error(`seal answered ${sealed.status}: ${await sealed.text()}`);
      wire.close();
      const version = (await sealed.json()) as DatasetVersion;
      return {
        uploaded: missing.size,
        uploadWireBytes: wire.written(),
        jsonBytes,
        versionId: version.id,
      };
    },
  };
}

const seconds = async (step: () => Promise<unknown>) => {
  const t0 = performance.now();
  await step();
  return (performance.now() - t0) / 1000;
};

/** (c): the whole sync in one go. */
async function sync(server: ChildServer, images: Image[]) {
  const steps = syncSteps(server, images);
  const t0 = performance.now();
  await steps.plan();
  await steps.upload(images);
  const result = await steps.seal();
  return { ...result, seconds: (performance.now() - t0) / 1000 };
}

/**
 * (a) and (b) taking turns, SLICE images at a time, the one that goes first alternating: the
 * load other processes put on this shared machine drifts by 2x within a minute, and turns this
 * short give both sides the same share of it. Each side's time is the sum of its own turns.
 */
const SLICE = 50;
async function interleave(reference: ChildServer, target: ChildServer, images: Image[]) {
  const plain = plainUpload(reference);
  const steps = syncSteps(target, images);
  const time = { a: 0, plan: 0, upload: 0, seal: 0 };
  const cpu = { a: 0, b: 0 };
  const turn = async (side: 'a' | 'b', step: () => Promise<unknown>) => {
    const c0 = clientCpu();
    const s = await seconds(step);
    cpu[side] += clientCpu() - c0;
    return s;
  };
  time.plan = await turn('b', steps.plan);
  for (let i = 0, n = 0; i < images.length; i += SLICE, n++) {
    const slice = images.slice(i, i + SLICE);
    const a = () => turn('a', () => plain.upload(slice)).then((s) => (time.a += s));
    const b = () => turn('b', () => steps.upload(slice)).then((s) => (time.upload += s));
    if (n % 2 === 0) await a().then(b);
    else await b().then(a);
  }
  let sealed: Awaited<ReturnType<typeof steps.seal>> | undefined;
  time.seal = await turn('b', async () => (sealed = await steps.seal()));
  return {
    a: { seconds: time.a, ...plain.close(), clientCpu: cpu.a },
    b: {
      ...sealed!,
      seconds: time.plan + time.upload + time.seal,
      steps: { plan: time.plan, upload: time.upload, seal: time.seal },
      clientCpu: cpu.b,
    },
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
  const [pa, pb] = [reference.process.pid!, target.process.pid!];
  const [rssA, rssB] = [sampleRss(pa), sampleRss(pb)];
  const [cpuA, cpuB] = [serverCpu(pa), serverCpu(pb)];
  const { a, b } = await interleave(reference, target, images);
  const measuredA = {
    ...a,
    rss: rssA(),
    cpu: { server: serverCpu(pa) - cpuA, client: a.clientCpu },
  };
  const measuredB = {
    ...b,
    rss: rssB(),
    cpu: { server: serverCpu(pb) - cpuB, client: b.clientCpu },
  };
  const c = await measured(target, () => sync(target, images));
  if (b.uploaded !== images.length) throw new Error(`first sync uploaded ${b.uploaded} images`);
  if (c.versionId !== b.versionId) throw new Error('the re-sync sealed another version');
  await Promise.all([stop(reference), stop(target)]);
  rmSync(join(work, `plain-${r}`), { recursive: true, force: true });
  rmSync(join(work, `sync-${r}`), { recursive: true, force: true });
  return { a: measuredA, b: measuredB, c };
}

// --- report ---

const mib = (r: Rss) => `${r.start.toFixed(0)} / ${r.peak.toFixed(0)} / ${r.end.toFixed(0)}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const images = await dataset();
  const total = images.reduce((n, i) => n + i.bytes, 0);
  const load0 = loadavg();
  console.log(
    `${images.length} images, ${(total / MB).toFixed(1)} MB; up to ` +
      `${SINGLE_REQUEST_MAX_BYTES / 1024 / 1024} MiB one PUT each, ${PARALLEL_UPLOADS} at a ` +
      `time; larger with tus (${CHUNK_BYTES / 1024 / 1024} MiB chunks), ` +
      `${PARALLEL_RESUMABLE_UPLOADS} at a time; rounds: ${rounds}`,
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
