import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApi,
  seedVersion,
  sha256Of,
  testImage,
  testImageSha,
  type TestApi,
} from '../testing/test-server';

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
});
