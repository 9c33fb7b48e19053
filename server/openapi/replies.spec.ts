import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_TOKEN_HEADER } from '../contract';
import {
  createJob,
  createTestApi,
  leaseJob,
  seedVersion,
  testImage,
  testImageSha,
  testModelMetadata,
  type TestApi,
} from '../testing/test-server';
import { API_OPERATIONS } from './operations';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(() => t.close());

/**
 * Parses a real answer with the schema its operation entry documents. zod drops keys a schema
 * does not name, so a field the server sends but the document lacks fails the equality too.
 */
async function expectDocumented(method: string, path: string, res: Response) {
  const op = API_OPERATIONS.find((o) => o.method === method && o.path === path);
  const reply = op?.replies[res.status];
  expect(reply, `${method} ${path} answered ${res.status}`).toBeDefined();
  if (!reply || !('json' in reply)) throw new Error(`${method} ${path} documents no JSON`);
  const body: unknown = await res.json();
  expect(reply.json.parse(body), `${method} ${path}`).toEqual(body);
  return body;
}

describe('answers the contract does not name (replies.ts)', () => {
  it('are what the server sends, through a whole training job', async () => {
    const put = (sent: Uint8Array<ArrayBuffer>) =>
      t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: sent });
    await expectDocumented('put', '/api/blobs/:sha256', await put(testImage));
    await expectDocumented('put', '/api/blobs/:sha256', await put(testImage));
    const version = await seedVersion(t);
    const job = await createJob(t, version.id, { epochs: 1 });
    const lease = await leaseJob(t);
    const runner = `/api/runner/jobs/${job.id}`;
    const leaseToken = lease.leaseToken;

    const beat = await t.runner(`${runner}/heartbeat`, { method: 'POST', json: { leaseToken } });
    await expectDocumented('post', '/api/runner/jobs/:jobId/heartbeat', beat);
    const events = [{ type: 'epoch', epoch: 1, metrics: { 'train/box_loss': 1 } }];
    const sent = await t.runner(`${runner}/events`, {
      method: 'POST',
      json: { leaseToken, events },
    });
    await expectDocumented('post', '/api/runner/jobs/:jobId/events', sent);

    const metadata = JSON.stringify(testModelMetadata(job.id, version.id));
    for (const [name, body] of [
      ['model.onnx', new Uint8Array([8, 1, 2, 3])],
      ['metadata.json', metadata],
    ] as const) {
      const headers = { [LEASE_TOKEN_HEADER]: leaseToken };
      const res = await t.runner(`${runner}/artifacts/${name}`, { method: 'PUT', body, headers });
      await expectDocumented('put', '/api/runner/jobs/:jobId/artifacts/:name', res);
    }
    const listed = await t.user(`/api/jobs/${job.id}/artifacts`);
    expect(await expectDocumented('get', '/api/jobs/:id/artifacts', listed)).toHaveLength(2);
    const done = await t.runner(`${runner}/complete`, { method: 'POST', json: { leaseToken } });
    await expectDocumented('post', '/api/runner/jobs/:jobId/complete', done);
  });

  it('include the empty answer to a failed job', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id);
    const { leaseToken } = await leaseJob(t);
    const res = await t.runner(`/api/runner/jobs/${job.id}/fail`, {
      method: 'POST',
      json: { leaseToken, error: 'out of memory' },
    });
    await expectDocumented('post', '/api/runner/jobs/:jobId/fail', res);
  });
});
