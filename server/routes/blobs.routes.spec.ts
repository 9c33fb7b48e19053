import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApi,
  seedVersion,
  sha256Of,
  testImage,
  testImageSha,
  type TestApi,
} from '../testing/test-server';
import { bombPng, streamedBody } from '../testing/streamed-body';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

describe('blobs', () => {
  it('tells which blobs are missing, stores each once, and seals an immutable version', async () => {
    const plan = await t.user('/api/blobs/missing', {
      method: 'POST',
      json: { sha256s: [testImageSha] },
    });
    expect(await plan.json()).toEqual({ missing: [testImageSha] });
    expect(
      (await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage })).status,
    ).toBe(201);
    expect(
      (await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage })).status,
    ).toBe(200);
    const again = await t.user('/api/blobs/missing', {
      method: 'POST',
      json: { sha256s: [testImageSha] },
    });
    expect(await again.json()).toEqual({ missing: [] });

    const first = await seedVersion(t);
    const second = await seedVersion(t);
    expect(second.id).toBe(first.id);
    const version = await (await t.user(`/api/dataset-versions/${first.id}`)).json();
    expect(version).toMatchObject({ imageCount: 1, boxCount: 1, classes: ['card'] });
  });

  it('refuses bytes that do not match their hash, and non-images, storing nothing', async () => {
    const wrong = await t.user(`/api/blobs/${'0'.repeat(64)}`, { method: 'PUT', body: testImage });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.code).toBe('hash_mismatch');
    const text = new TextEncoder().encode('not an image');
    const notImage = await t.user(`/api/blobs/${sha256Of(text)}`, { method: 'PUT', body: text });
    expect(notImage.status).toBe(415);
    const plan = await t.user('/api/blobs/missing', {
      method: 'POST',
      json: { sha256s: ['0'.repeat(64), sha256Of(text)] },
    });
    expect((await plan.json()).missing).toHaveLength(2);
  });

  it('refuses an image declaring more than LOUPE_MAX_IMAGE_PIXELS while it streams, with 413', async () => {
    // 15 chunks of 64 KiB behind the header: the server must answer before reading them all.
    const upload = streamedBody(bombPng(), 15);
    const res = await t.user(`/api/blobs/${upload.sha256}`, { method: 'PUT', ...upload.init });
    expect(res.status).toBe(413);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('image_too_large');
    expect(error.message).toContain('60000 x 60000 pixels, over the limit of 100000000');
    expect(upload.pulled()).toBeLessThan(15);
    expect(t.services.blobs.has(upload.sha256)).toBe(false);

    // The limit is the setting's: a smaller one refuses the ordinary test image too.
    const strict = await createTestApi(60, [], { limits: { maxImagePixels: 3 } });
    const small = await strict.user(`/api/blobs/${testImageSha}`, {
      method: 'PUT',
      body: testImage,
    });
    expect(small.status).toBe(413);
    expect(strict.services.blobs.has(testImageSha)).toBe(false);
    strict.close();
  });
});
