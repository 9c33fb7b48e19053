import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/test-server';
import { webApp } from './web-app';

let t: TestApi;
let webDir: string;
let app: Hono;
beforeEach(async () => {
  t = await createTestApi();
  webDir = mkdtempSync(join(tmpdir(), 'loupe-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Loupe</title>');
  // Mounted as server.ts mounts them: the API first, the PWA behind it.
  app = new Hono().route('/', t.api).route('/', webApp(webDir));
});
afterEach(() => {
  t.close();
  rmSync(webDir, { recursive: true, force: true });
});

const get = (path: string) =>
  app.request(path, { headers: { authorization: 'Bearer user-token' } });

describe('web app beside the API', () => {
  it('answers an unknown API path with the JSON 404, not the app', async () => {
    for (const path of ['/api/nope', '/api/jobs-typo/1', '/api']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
      expect(await res.json()).toEqual({
        error: { code: 'not_found', message: `no API route GET ${path}` },
      });
    }
  });

  it('still serves known API routes and the app for any other path', async () => {
    expect((await get('/api/health')).status).toBe(200);
    const page = await get('/datasets/some-id');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Loupe</title>');
    // A path that only starts like the API is the app's.
    expect((await get('/apis')).status).toBe(200);
  });
});
