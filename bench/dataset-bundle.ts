/**
 * Bundle export + import of a generated dataset, against a plain HTTP download + upload of the
 * same bytes, in the same run; with the peak RSS of each Loupe server process (both run as
 * their own `node` process, so the numbers are theirs alone). Not part of CI; numbers only.
 *
 *   npx tsx bench/dataset-bundle.ts [images=1000] [side=560]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';

const [count = 1000, side = 560] = process.argv.slice(2).map(Number);
const work = mkdtempSync(join(tmpdir(), 'loupe-bundle-bench-'));

type Loupe = { url: string; token: string; proc: ChildProcess; pid: number };
const started: ChildProcess[] = [];

/** Starts `server/main.ts` as its own process and reads its address and token from its banner. */
async function startLoupe(name: string): Promise<Loupe> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      LOUPE_PORT: '0',
      LOUPE_DATA_DIR: join(work, name),
      LOUPE_RUNNER: 'off',
      LOUPE_MAX_BLOB_BYTES: String(50 * 1024 * 1024),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(proc);
  let out = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Open (http:\/\/\S+)\/\?token=(\S+)/.exec(out);
      if (m) resolve(m);
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
  return { url: match[1]!, token: match[2]!, proc, pid: proc.pid! };
}

/** CPU seconds (user + system, all threads) a process has used so far (Linux /proc). */
function cpuSeconds(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process now and at its peak (Linux /proc), in MiB. */
function rss(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const auth = (l: Loupe) => ({ authorization: `Bearer ${l.token}` });
const fromWeb = (body: ReadableStream<Uint8Array>) =>
  Readable.fromWeb(body as unknown as NodeWebStream<Uint8Array>);
const fileBody = (path: string) =>
  Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;

async function download(url: string, headers: Record<string, string>, path: string) {
  const res = await fetch(url, { headers });
  if (!res.ok || !res.body) throw new Error(`${url}: ${res.status}`);
  await pipeline(fromWeb(res.body), createWriteStream(path));
}

async function upload(url: string, headers: Record<string, string>, path: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-length': String(statSync(path).size) },
    body: fileBody(path),
    duplex: 'half',
  } as RequestInit);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<unknown>;
}

/** The reference: a bare node:http server that streams a file out and a body to disk. */
async function plainServer(file: string, sink: string) {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET') return void createReadStream(file).pipe(res);
    void pipeline(req, createWriteStream(sink)).then(() => res.end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function timed<T>(run: () => Promise<T>) {
  const started = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const noise = Buffer.alloc(side * side * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const base = await sharp(noise, { raw: { width: side, height: side, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
  const a = await startLoupe('a');
  const b = await startLoupe('b');
  const images = [];
  for (let i = 0; i < count; i++) {
    // Bytes after the JPEG's end marker keep it valid and give each image its own hash.
    const bytes = Buffer.concat([base, Buffer.from(`#${i}`)]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const res = await fetch(`${a.url}/api/blobs/${sha256}`, {
      method: 'PUT',
      headers: auth(a),
      body: bytes,
    });
    if (!res.ok) throw new Error(`seed: ${res.status} ${await res.text()}`);
    images.push({ sha256, fileName: `${i}.jpg`, width: side, height: side, boxes: [] });
  }
  const sealed = await fetch(`${a.url}/api/dataset-versions`, {
    method: 'POST',
    headers: { ...auth(a), 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', classes: ['card'], images }),
  });
  const version = (await sealed.json()) as { id: string };
  const bundle = join(work, 'bundle.zip');
  const before = { a: rss(a.pid), b: rss(b.pid) };

  const exported = await timed(() =>
    download(`${a.url}/api/dataset-versions/${version.id}/bundle.zip`, auth(a), bundle),
  );
  const cpuBefore = cpuSeconds(b.pid);
  const imported = await timed(() =>
    upload(`${b.url}/api/dataset-versions/import`, auth(b), bundle),
  );
  const importCpu = cpuSeconds(b.pid) - cpuBefore;
  const bytes = statSync(bundle).size;
  const plain = await plainServer(bundle, join(work, 'plain-sink'));
  const plainGet = await timed(() => download(plain.url, {}, join(work, 'plain-copy')));
  const plainPost = await timed(() => upload(plain.url, {}, join(work, 'plain-copy')));
  plain.server.close();
  const after = { a: rss(a.pid), b: rss(b.pid) };

  const mbps = (s: number) => (bytes / 1e6 / s).toFixed(0);
  const report = imported.value as { images: number; blobsNew: number; version: { id: string } };
  console.log(
    `images ${count} (${(base.length / 1024).toFixed(0)} KiB each), bundle ${(bytes / 1e6).toFixed(1)} MB`,
  );
  console.log(
    `import report: ${report.images} images, ${report.blobsNew} new, same id: ${report.version.id === version.id}`,
  );
  console.log(
    `export  ${exported.seconds.toFixed(2)} s  ${mbps(exported.seconds)} MB/s | plain GET  ${plainGet.seconds.toFixed(2)} s  ${mbps(plainGet.seconds)} MB/s`,
  );
  console.log(
    `import  ${imported.seconds.toFixed(2)} s  ${mbps(imported.seconds)} MB/s | plain POST ${plainPost.seconds.toFixed(2)} s  ${mbps(plainPost.seconds)} MB/s`,
  );
  // Wall time swings with whatever else the machine runs; the server's own CPU time does less.
  console.log(`import CPU time of its server: ${importCpu.toFixed(2)} s`);
  console.log(`import / plain POST: ${(plainPost.seconds / imported.seconds).toFixed(2)}`);
  const ratio = (plainGet.seconds + plainPost.seconds) / (exported.seconds + imported.seconds);
  console.log(`throughput ratio (bundle export+import / plain GET+POST): ${ratio.toFixed(2)}`);
  const mib = (r: { now: number; peak: number }) =>
    `${r.now.toFixed(0)} MiB (peak ${r.peak.toFixed(0)} MiB)`;
  console.log(`server A (export) RSS before ${mib(before.a)}, after ${mib(after.a)}`);
  console.log(`server B (import) RSS before ${mib(before.b)}, after ${mib(after.b)}`);
}

try {
  await main();
} finally {
  for (const proc of started) proc.kill();
  rmSync(work, { recursive: true, force: true });
}
