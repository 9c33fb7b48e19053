// Nothing lost: the server process is killed (SIGKILL) in the middle of an image upload and
// started again on the same data; the client (tus-js-client, as the PWA uses it) resumes where
// the server's file stopped, and the sealed dataset version is the one a clean upload gives.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetManifest, DatasetVersion } from '../../server/contract';
import { freePort, startChildServer, type ChildServer } from './sync-child-server';
import { generateCards } from './loupe-server';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const CHUNK = 512 * 1024;

type Image = { bytes: Buffer; sha256: string; entry: DatasetManifest['images'][number] };
let images: Image[] = [];
let manifest: DatasetManifest;
const dirs: string[] = [];
const servers: ChildServer[] = [];

beforeAll(async () => {
  const cards = generateCards(3, 5);
  images = cards.images.map((image) => {
    const bytes = readFileSync(cards.path(image.file));
    const { width, height, boxes } = image;
    return {
      bytes,
      sha256: sha256(bytes),
      entry: { sha256: sha256(bytes), fileName: image.file, width, height, boxes },
    };
  });
  // One large photo (noise does not compress: about 14 MB of PNG), so the kill lands mid-upload.
  // The PWA sends photos over 4 MiB with tus too (smaller ones in one PUT).
  const big = await sharp({
    create: {
      width: 2600,
      height: 1800,
      channels: 3,
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
      background: '#000',
    },
  })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const box = { classIndex: 0, x: 0.1, y: 0.2, w: 0.5, h: 0.4 };
  images.push({
    bytes: big,
    sha256: sha256(big),
    entry: { sha256: sha256(big), fileName: 'big.png', width: 2600, height: 1800, boxes: [box] },
  });
  manifest = { name: 'restart', classes: cards.classes, images: images.map((i) => i.entry) };
});

afterAll(async () => {
  for (const s of servers) await s.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-restart-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, port: number) {
  const server = await startChildServer(dir, port);
  servers.push(server);
  return server;
}

type Hooks = { onProgress?: (sent: number) => void; patchOffsets?: number[] };

/** Uploads one image with tus; retries ride out a server that is gone for a few seconds. */
function upload(server: () => ChildServer, image: Image, hooks: Hooks = {}) {
  return new Promise<void>((resolve, reject) => {
    const up = new Upload(image.bytes, {
      endpoint: `${server().url}/api/uploads`,
      metadata: { sha256: image.sha256, filetype: 'image/png' },
      headers: { authorization: `Bearer ${server().token}` },
      chunkSize: CHUNK,
      retryDelays: [500, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000],
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') {
          hooks.patchOffsets?.push(Number(req.getHeader('Upload-Offset')));
        }
      },
      onProgress: (sent) => hooks.onProgress?.(sent),
      onSuccess: () => resolve(),
      onError: reject,
    });
    up.start();
  });
}

async function seal(server: ChildServer) {
  const res = await fetch(`${server.url}/api/dataset-versions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(manifest),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as DatasetVersion;
}

/** Every stored blob's bytes hash to its name, and it equals the image that was sent. */
function expectBlobsIntact(dir: string) {
  for (const image of images) {
    const stored = readFileSync(
      join(dir, 'blobs', image.sha256.slice(0, 2), image.sha256.slice(2)),
    );
    expect(sha256(stored)).toBe(image.sha256);
    expect(stored.length).toBe(image.bytes.length);
  }
}

describe('sync survives a server killed mid-upload', () => {
  let clean: DatasetVersion;

  it('seals a version from a clean upload (the reference)', async () => {
    const dir = dataDir();
    const server = await start(dir, await freePort());
    for (const image of images) await upload(() => server, image);
    clean = await seal(server);
    expectBlobsIntact(dir);
    await server.kill();
  });

  it('resumes after SIGKILL and a restart, and seals the byte-identical version', async () => {
    const dir = dataDir();
    const port = await freePort();
    let server = await start(dir, port);
    for (const image of images.slice(0, -1)) await upload(() => server, image);

    const big = images.at(-1)!;
    const patchOffsets: number[] = [];
    let killedAt = -1;
    let restarted: Promise<void> | null = null;
    await upload(() => server, big, {
      patchOffsets,
      onProgress: (sent) => {
        if (restarted || sent < big.bytes.length * 0.3) return;
        killedAt = sent;
        restarted = (async () => {
          await server.kill();
          server = await start(dir, port);
        })();
      },
    });
    await restarted;
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(big.bytes.length);

    // After the restart the client asked where the server's file stopped and went on from there:
    // the PATCH offsets never go back to 0, and the one after the restart is past the kill point
    // minus at most the chunk in flight.
    const resumedFrom = patchOffsets.find((offset, i) => i > 0 && offset <= patchOffsets[i - 1]!);
    expect(patchOffsets[0]).toBe(0);
    expect(patchOffsets.slice(1).every((o) => o > 0)).toBe(true);
    if (resumedFrom !== undefined) expect(resumedFrom).toBeGreaterThan(killedAt - 2 * CHUNK);
    console.log(
      `killed at ${killedAt} of ${big.bytes.length} bytes; resumed at ${resumedFrom ?? 'the next chunk'}`,
    );

    const version = await seal(server);
    expect(version.id).toBe(clean.id);
    expect(version).toMatchObject({ imageCount: images.length, boxCount: clean.boxCount });
    expectBlobsIntact(dir);
  });
});
