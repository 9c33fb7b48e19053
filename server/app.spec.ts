import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

describe('auth', () => {
  it('refuses a request without a token, and the runner token on user routes', async () => {
    expect((await t.api.request('/api/jobs')).status).toBe(401);
    expect((await t.runner('/api/jobs')).status).toBe(403);
    expect((await t.api.request('/api/health')).status).toBe(200);
  });
});
