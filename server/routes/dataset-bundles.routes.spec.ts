import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetManifest } from '../contract';
import { craftZip, type CraftedEntry } from '../testing/crafted-zip';
import {
  createTestApi,
  seedVersion,
  sha256Of,
  testImage,
  testImageSha,
  testManifest,
  tinyPng,
  type TestApi,
} from '../testing/test-server';

let t: TestApi;
afterEach(() => t.close());

const open = async (limits: Parameters<typeof createTestApi>[2] = {}) => {
  t = await createTestApi(60, [], limits);
  return t;
};

/** Blob rows, version rows and every file under the blob folder (temporary ones included). */
function stored(api: TestApi) {
  const count = (table: string) =>
    (api.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const files = readdirSync(join(dirname(api.db.name), 'blobs'), { recursive: true })
    .map(String)
    .filter((f) => /[0-9a-f]{62}$|tmp\/./.test(f))
    .sort();
  return { blobs: count('blobs'), versions: count('dataset_versions'), files };
}

const importZip = (api: TestApi, zip: Uint8Array) =>
  api.user('/api/dataset-versions/import', { method: 'POST', body: new Uint8Array(zip) });

const manifestEntry = (m: DatasetManifest | string): CraftedEntry => ({
  name: 'manifest.json',
  data: Buffer.from(typeof m === 'string' ? m : JSON.stringify(m)),
  deflate: true,
});
const blobEntry = (bytes: Uint8Array, sha = sha256Of(bytes)): CraftedEntry => ({
  name: `blobs/${sha}`,
  data: bytes,
});
const goodEntries = () => [manifestEntry(testManifest()), blobEntry(testImage)];

/** Imports a hostile bundle and proves it was refused whole: the server keeps nothing. */
async function expectRefused(zip: Uint8Array, status: number, message: RegExp) {
  const before = stored(t);
  const res = await importZip(t, zip);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.message).toMatch(message);
  expect(body.error.hint).toBeTruthy();
  expect(stored(t)).toEqual(before);
  // Still serving, and a good bundle still goes in.
  expect((await importZip(t, craftZip(goodEntries()))).status).toBe(201);
}

describe('bundle export and import', () => {
  it('exports a version as a zip another server imports to the same version id', async () => {
    await open();
    const version = await seedVersion(t);
    const res = await t.user(`/api/dataset-versions/${version.id}/bundle.zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(zip.length);
    const other = t;
    await open();
    const imported = await importZip(t, zip);
    expect(imported.status).toBe(201);
    const report = await imported.json();
    expect(report).toMatchObject({ images: 1, blobsNew: 1, blobsAlreadyPresent: 0, refused: [] });
    expect(report.version.id).toBe(version.id);
    expect(
      new Uint8Array(await (await t.user(`/api/blobs/${testImageSha}`)).arrayBuffer()),
    ).toEqual(testImage);
    // Again: nothing new, same version.
    const again = await (await importZip(t, zip)).json();
    expect(again).toMatchObject({ blobsNew: 0, blobsAlreadyPresent: 1 });
    expect(again.version.id).toBe(version.id);
    other.close();
  });

  it('reports entries it left unread', async () => {
    await open();
    const stray = tinyPng(7);
    const zip = craftZip([
      ...goodEntries(),
      blobEntry(stray),
      { name: 'notes.txt', data: Buffer.from('x') },
    ]);
    const report = await (await importZip(t, zip)).json();
    expect(report.refused).toEqual([
      { entry: 'notes.txt', reason: 'not part of a bundle' },
      { entry: `blobs/${sha256Of(stray)}`, reason: 'not in the manifest; not read' },
    ]);
    expect((await t.user(`/api/blobs/${sha256Of(stray)}`)).status).toBe(404);
  });
});

describe('bundle import refuses bad input and stores nothing', () => {
  const slip = (name: string, reason: RegExp) => async () => {
    await open();
    await expectRefused(
      craftZip([...goodEntries(), { name, data: Buffer.from('pwned') }]),
      400,
      reason,
    );
  };
  it('zip slip: ../', slip('blobs/../../etc/passwd', /climbs out/));
  it('zip slip: absolute path', slip('/etc/cron.d/x', /absolute path/));
  it('zip slip: drive letter', slip('C:/Windows/x.dll', /drive letter/));
  it('zip slip: backslashes', slip('..\\..\\x', /backslash/));

  it('a symbolic link entry', async () => {
    await open();
    const link = { name: 'blobs/link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 };
    await expectRefused(craftZip([...goodEntries(), link]), 400, /symbolic link/);
  });

  it('a zip bomb whose header under-declares its size, counted while unpacking', async () => {
    await open();
    const zeros = new Uint8Array(20 * 1024 * 1024);
    expect(deflateRawSync(zeros).length).toBeLessThan(100_000);
    const bomb = {
      name: `blobs/${sha256Of(zeros)}`,
      data: zeros,
      deflate: true,
      declaredSize: 100,
    };
    const manifest = testManifest();
    manifest.images.push({ ...manifest.images[0]!, sha256: sha256Of(zeros) });
    await expectRefused(
      craftZip([manifestEntry(manifest), blobEntry(testImage), bomb]),
      400,
      /unpacks to more bytes than its header declares/,
    );
  });

  it('an entry over the per-image limit, and a bundle over the total unpacked limit', async () => {
    const big = new Uint8Array(200 * 1024);
    const m = testManifest();
    m.images.push({ ...m.images[0]!, sha256: sha256Of(big) });
    const zip = (data: Uint8Array) =>
      craftZip([
        manifestEntry(m),
        blobEntry(testImage),
        { ...blobEntry(big), data, deflate: true },
      ]);
    await open({ maxBlobBytes: 64 * 1024 });
    await expectRefused(zip(big), 413, /blobs\/\w+ unpacked is over the limit of 65536/);
    t.close();
    await open({ limits: { maxBundleUnzippedBytes: 100 * 1024 } });
    await expectRefused(zip(big.subarray(0, 120 * 1024)), 413, /over the limit of 102400/);
  });

  it('overlapping entries (one compressed kernel behind several names)', async () => {
    await open();
    const zip = craftZip([...goodEntries(), { ...blobEntry(tinyPng(5)), sameDataAs: 1 }]);
    await expectRefused(zip, 400, /overlaps entry/);
  });

  it('duplicate entries', async () => {
    await open();
    await expectRefused(craftZip([...goodEntries(), blobEntry(testImage)]), 400, /appears twice/);
  });

  it('too many entries', async () => {
    await open({ limits: { maxBundleEntries: 3 } });
    const zip = craftZip([...goodEntries(), blobEntry(tinyPng(2)), blobEntry(tinyPng(3))]);
    await expectRefused(zip, 413, /number of entries \(4\)/);
  });

  it('a blob whose bytes do not match its name', async () => {
    await open();
    const m = testManifest();
    await expectRefused(
      craftZip([manifestEntry(m), blobEntry(tinyPng(4), testImageSha)]),
      400,
      /hash to .* not to its name/,
    );
  });

  it('a truncated archive', async () => {
    await open();
    const zip = craftZip(goodEntries());
    await expectRefused(zip.subarray(0, zip.length - 30), 400, /not a readable \.zip/);
    await expectRefused(zip.subarray(0, 40), 400, /not a readable \.zip/);
  });

  it('a non-image file with an image name', async () => {
    await open();
    const text = Buffer.from('<?php system($_GET["c"]); ?> this is not a picture');
    const m = testManifest();
    m.images[0] = { ...m.images[0]!, sha256: sha256Of(text), fileName: 'cat.jpg' };
    await expectRefused(
      craftZip([manifestEntry(m), blobEntry(text)]),
      415,
      /not a JPEG, PNG or WebP/,
    );
  });

  it('an image declaring huge dimensions (decompression bomb)', async () => {
    await open();
    const png = Buffer.from(tinyPng(1));
    png.writeUInt32BE(60_000, 16);
    png.writeUInt32BE(60_000, 20);
    const m = testManifest();
    m.images[0] = { ...m.images[0]!, sha256: sha256Of(png) };
    await expectRefused(craftZip([manifestEntry(m), blobEntry(png)]), 422, /60000 x 60000 pixels/);
  });

  it('manifests with unknown classes, out-of-range coordinates or duplicate images', async () => {
    await open();
    const bad = (m: DatasetManifest) => craftZip([manifestEntry(m), blobEntry(testImage)]);
    const box = { classIndex: 0, x: 0.1, y: 0.1, w: 0.5, h: 0.5 };
    await expectRefused(
      bad(testManifest([{ ...box, classIndex: 4 }])),
      400,
      /class 4 does not exist/,
    );
    await expectRefused(bad(testManifest([{ ...box, x: 1.9 }])), 400, /an image past the edge/);
    const twice = testManifest();
    twice.images.push({ ...twice.images[0]! });
    await expectRefused(bad(twice), 400, /appears twice in the manifest/);
    await expectRefused(
      craftZip([manifestEntry('{"name":'), blobEntry(testImage)]),
      400,
      /not JSON/,
    );
  });

  it('a manifest over the size limit, and a bundle over the upload limit', async () => {
    await open({ limits: { maxJsonBytes: 4096 } });
    const padded = JSON.stringify(testManifest()) + ' '.repeat(8000);
    await expectRefused(
      craftZip([manifestEntry(padded), blobEntry(testImage)]),
      413,
      /manifest\.json/,
    );
    t.close();
    await open({ limits: { maxBundleBytes: 1000 } });
    const m = testManifest();
    await expectRefused(
      craftZip([
        manifestEntry(m),
        blobEntry(testImage),
        { name: 'pad', data: new Uint8Array(2000) },
      ]),
      413,
      /the upload is over the limit of 1000/,
    );
  });
});
