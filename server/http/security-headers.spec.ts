import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers';

const app = new Hono()
  .use(securityHeaders())
  .get('/', (c) => c.html('<!doctype html><title>Loupe</title>'))
  .get('/api/health', (c) => c.json({ ok: true }))
  .get('/worker.js', (c) =>
    c.body('self.onmessage = () => {}', 200, { 'content-type': 'text/javascript' }),
  );

describe('security headers', () => {
  it('forbid framing, sniffing and Referer on every answer', async () => {
    for (const path of ['/', '/api/health', '/worker.js']) {
      const headers = (await app.request(path)).headers;
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('x-frame-options'), path).toBe('DENY');
      expect(headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
    }
  });

  it("leave a page's script policy to its own <meta>, and give scripts a worker's policy", async () => {
    const page = (await app.request('/')).headers.get('content-security-policy')!;
    // A second script-src here would also have to hold the hash of SvelteKit's inline script.
    expect(page).not.toMatch(/script-src/);
    const worker = (await app.request('/worker.js')).headers.get('content-security-policy')!;
    expect(worker).toMatch(/default-src 'self'/);
    expect(worker).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(worker).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
  });
});
