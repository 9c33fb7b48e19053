import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/test-server';
import { readDocsAsset } from './docs-page';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

describe('the API documentation routes', () => {
  it('serve the OpenAPI document without a token', async () => {
    const res = await t.api.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/jobs/{id}/events');
  });

  it('serve the docs page and every file it loads from this server', async () => {
    const page = await t.api.request('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(loaded).toEqual(['/api/docs/swagger-ui.css', '/api/docs/swagger-ui-bundle.js']);
    for (const path of loaded) {
      const res = await t.api.request(path);
      expect(res.status, path).toBe(200);
      const name = path.split('/').pop() as 'swagger-ui.css';
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.equals(await readDocsAsset(name)), path).toBe(true);
    }
  });

  it('compress the large script for clients that accept gzip', async () => {
    const res = await t.api.request('/api/docs/swagger-ui-bundle.js', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const zipped = Buffer.from(await res.arrayBuffer());
    const plain = await readDocsAsset('swagger-ui-bundle.js');
    expect(gunzipSync(zipped).equals(plain)).toBe(true);
    expect(zipped.length).toBeLessThan(plain.length);
  });

  it('refuse any other file name', async () => {
    const res = await t.api.request('/api/docs/..%2Fpackage.json');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });
});
