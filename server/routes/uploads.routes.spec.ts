import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, sha256Of, tinyPng, type TestApi } from '../testing/test-server';
import { bombPng, streamedBody } from '../testing/streamed-body';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const TUS = { 'tus-resumable': '1.0.0' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Creates an upload as tus-js-client does; returns its path. */
async function create(bytes: number, sha256?: string) {
  const metadata = sha256 ? `sha256 ${b64(sha256)},filetype ${b64('image/png')}` : 'filetype';
  const res = await t.user('/api/uploads', {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(bytes), 'upload-metadata': metadata },
  });
  return { res, location: res.headers.get('location') ?? '' };
}

const patch = (location: string, offset: number, body: Uint8Array<ArrayBuffer> | RequestInit) =>
  t.user(location, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    ...(body instanceof Uint8Array ? { body } : body),
  });

const offsetOf = async (location: string) =>
  Number((await t.user(location, { method: 'HEAD', headers: TUS })).headers.get('upload-offset'));

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

/** A PNG of `size` bytes (bytes after IEND keep it valid), different per seed. */
function png(size: number, seed: number) {
  const bytes = new Uint8Array(size);
  const image = tinyPng(seed);
  bytes.set(image);
  for (let i = image.length; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

describe('resumable uploads (tus) under /api/uploads', () => {
  it('resumes where it stopped and stores the image under its hash once finished', async () => {
    const image = png(200_000, 1);
    const sha = sha256Of(image);
    const { res, location } = await create(image.length, sha);
    expect(res.status).toBe(201);
    expect(location).toMatch(/^\/api\/uploads\/[0-9a-f]+$/);

    expect((await patch(location, 0, image.slice(0, 70_000))).status).toBe(204);
    // The client asks where the server stopped and sends only the rest.
    expect(await offsetOf(location)).toBe(70_000);
    expect(t.services.blobs.has(sha)).toBe(false);
    expect((await patch(location, 70_000, image.slice(70_000))).status).toBe(204);

    expect(t.services.blobs.get(sha)).toMatchObject({
      bytes: image.length,
      mediaType: 'image/png',
    });
    const stored = await t.user(`/api/blobs/${sha}`);
    expect(sha256Of(new Uint8Array(await stored.arrayBuffer()))).toBe(sha);
    // The finished upload is gone from the upload folder: its bytes now live in the blob store.
    expect((await t.user(location, { method: 'HEAD', headers: TUS })).status).toBe(404);
  });

  it('refuses a wrong offset, so no byte is written twice or skipped', async () => {
    const image = png(10_000, 2);
    const { location } = await create(image.length, sha256Of(image));
    await patch(location, 0, image.slice(0, 4000));
    const again = await patch(location, 0, image.slice(0, 4000));
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('offset_conflict');
    expect(await offsetOf(location)).toBe(4000);
  });

  it('deletes an upload whose bytes do not hash to the declared SHA-256, and says so', async () => {
    const image = png(5000, 3);
    const claimed = sha256Of(png(5000, 4));
    const { location } = await create(image.length, claimed);
    const res = await patch(location, 0, image);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('hash_mismatch');
    expect(t.services.blobs.has(claimed)).toBe(false);
    expect(t.services.blobs.has(sha256Of(image))).toBe(false);
  });

  it('refuses a file that is not an image, whatever it claims', async () => {
    const text = new TextEncoder().encode('not an image at all, just text'.repeat(20));
    const { location } = await create(text.length, sha256Of(text));
    const res = await patch(location, 0, text);
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('not_an_image');
    expect(t.services.blobs.has(sha256Of(text))).toBe(false);
  });

  it('refuses an upload without a SHA-256, or larger than the blob limit, before any byte', async () => {
    const noSha = await create(1000);
    expect(noSha.res.status).toBe(400);
    expect((await errorOf(noSha.res)).code).toBe('missing_sha256');
    const huge = await create(2 * 1024 * 1024, sha256Of(png(100, 5)));
    expect(huge.res.status).toBe(413);
    // The library's own refusal, in the API's words and naming the setting behind it.
    expect(huge.res.headers.get('content-type')).toBe('application/json');
    expect(await errorOf(huge.res)).toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/LOUPE_MAX_BLOB_BYTES = \d+ bytes/),
    });
  });

  it('needs the user token', async () => {
    const res = await t.runner('/api/uploads', {
      method: 'POST',
      headers: { ...TUS, 'upload-length': '10' },
    });
    expect(res.status).toBe(403);
  });

  it('adopts at start-up an upload that finished as the server died', async () => {
    const image = png(3000, 6);
    const sha = sha256Of(image);
    const { location } = await create(image.length, sha);
    const id = location.split('/').pop()!;
    // The bytes land on disk but the check never runs: what a crash between them leaves.
    await t.services.uploads['store'].write(
      (await import('node:stream')).Readable.from([Buffer.from(image)]),
      id,
      0,
    );
    expect(t.services.blobs.has(sha)).toBe(false);
    expect(await t.services.uploads.recover()).toBe(1);
    expect(t.services.blobs.has(sha)).toBe(true);
    expect(readdirSync(t.services.blobs['store'].uploadsDir)).toEqual([]);
  });

  it('refuses an image declaring too many pixels at the chunk that says so, with 413', async () => {
    const upload = streamedBody(bombPng(), 15);
    const { location } = await create(upload.bytes, upload.sha256);
    const res = await patch(location, 0, upload.init);
    expect(res.status).toBe(413);
    const error = await errorOf(res);
    expect(error.code).toBe('image_too_large');
    expect(error.message).toContain('60000 x 60000 pixels');
    expect(upload.pulled()).toBeLessThan(15);
    // The upload is gone (a resume would be refused again) and nothing was stored.
    expect((await t.user(location, { method: 'HEAD', headers: TUS })).status).toBe(404);
    expect(t.services.blobs.has(upload.sha256)).toBe(false);
    expect(readdirSync(t.services.blobs['store'].uploadsDir)).toEqual([]);
  });

  it('checks a header split over two requests, also after the server lost its state', async () => {
    const bomb = png(5000, 7);
    bomb.set(bombPng());
    const { location } = await create(bomb.length, sha256Of(bomb));
    // 10 bytes: the PNG signature and part of IHDR, no size yet.
    expect((await patch(location, 0, bomb.slice(0, 10))).status).toBe(204);
    // A restart forgets what the first request showed: it is read back from the upload's file.
    t.services.uploads['pixels'].clear();
    const res = await patch(location, 10, bomb.slice(10));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('image_too_large');
    expect(t.services.blobs.has(sha256Of(bomb))).toBe(false);
  });

  it('answers a new upload of an image the server holds as done, with no byte sent', async () => {
    const image = png(4000, 8);
    const sha = sha256Of(image);
    const first = await create(image.length, sha);
    expect((await patch(first.location, 0, image)).status).toBe(204);
    expect(t.services.blobs.has(sha)).toBe(true);

    // What a client whose last request was answered too late for it sends next: a new upload.
    const again = await create(image.length, sha);
    expect(again.res.status).toBe(200);
    expect(again.location).toBe('');
    expect(await again.res.json()).toEqual({ sha256: sha, created: false });
    expect(readdirSync(t.services.blobs['store'].uploadsDir)).toEqual([]);
  });
});
