import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JPEG_3X2, PNG_3X2 } from '../../web/lib/images/test-images';
import { createTestApi, sha256Of, type TestApi } from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

/** Files that pass every header check (signature, size) and still are no image: made here. */
const hostile: Record<string, Uint8Array<ArrayBuffer>> = {
  'a JPEG cut short': JPEG_3X2.slice(0, Math.floor(JPEG_3X2.length * 0.7)),
  'a PNG signature before junk': new Uint8Array([
    ...PNG_3X2.subarray(0, 33),
    ...new Uint8Array(64).fill(7),
  ]),
  'a PNG cut short': PNG_3X2.slice(0, PNG_3X2.length - 16),
};

describe('stored images decode', () => {
  it('stores real JPEG and PNG photos', async () => {
    for (const image of [JPEG_3X2, PNG_3X2]) {
      const res = await t.user(`/api/blobs/${sha256Of(image)}`, { method: 'PUT', body: image });
      expect(res.status).toBe(201);
    }
  });

  it('refuses a file that does not decode, says why, and stores nothing', async () => {
    for (const [what, bytes] of Object.entries(hostile)) {
      const sha = sha256Of(bytes);
      const res = await t.user(`/api/blobs/${sha}`, { method: 'PUT', body: bytes });
      expect(res.status, what).toBe(422);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code, what).toBe('undecodable_image');
      expect(error.message, what).toMatch(/does not decode: /);
      expect(t.services.blobs.has(sha), what).toBe(false);
    }
  });
});
