import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createJob,
  createTestApi,
  jobEvents,
  leaseJob,
  seedVersion,
  testImage,
  testImageSha,
  testManifest,
  type TestApi,
} from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

describe('jobs', () => {
  it('refuses a job when a class has no labeled example, naming the class', async () => {
    await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
    const version = await (
      await t.user('/api/dataset-versions', {
        method: 'POST',
        json: { ...testManifest(), classes: ['card', 'back'] },
      })
    ).json();
    const res = await t.user('/api/jobs', {
      method: 'POST',
      json: { datasetVersionId: version.id, task: 'detect' },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/"back" have no labeled example/);
  });

  it('refuses a job on a dataset with no labels', async () => {
    const version = await seedVersion(t, testManifest([]));
    const res = await t.user('/api/jobs', {
      method: 'POST',
      json: { datasetVersionId: version.id, task: 'detect' },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('empty_dataset');
    expect(await (await t.user('/api/jobs')).json()).toEqual([]);
  });

  it('replays missed events on the stream after Last-Event-ID', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id);
    const lease = await leaseJob(t, 'r');
    await t.runner(`/api/runner/jobs/${job.id}/fail`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken, error: 'out of memory' },
    });
    const read = (lastId?: string) => jobEvents(t, job.id, lastId);
    const all = await read();
    expect(all.map((e) => e.data.status)).toEqual(['queued', 'preparing', 'failed']);
    const rest = await read(all[0]?.id);
    expect(rest.map((e) => e.data.status)).toEqual(['preparing', 'failed']);
    expect(rest.at(-1)?.data.error).toBe('out of memory');
  });

  it('cancels a queued job at once, and a running one through its runner', async () => {
    const version = await seedVersion(t);
    const create = async () => createJob(t, version.id);
    const queued = await create();
    const cancelled = await t.user(`/api/jobs/${queued.id}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect(
      (await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } })).status,
    ).toBe(204);
    expect((await t.user(`/api/jobs/${queued.id}/cancel`, { method: 'POST' })).status).toBe(409);

    const running = await create();
    const lease = await leaseJob(t, 'r');
    const beat = () =>
      t.runner(`/api/runner/jobs/${running.id}/heartbeat`, {
        method: 'POST',
        json: { leaseToken: lease.leaseToken },
      });
    expect(await (await beat()).json()).toMatchObject({ cancelRequested: false });
    await t.user(`/api/jobs/${running.id}/cancel`, { method: 'POST' });
    expect(await (await beat()).json()).toMatchObject({ cancelRequested: true });
    await t.runner(`/api/runner/jobs/${running.id}/fail`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken, error: 'Cancelled on request while training.' },
    });
    expect(await (await t.user(`/api/jobs/${running.id}`)).json()).toMatchObject({
      status: 'cancelled',
      error: 'Cancelled on request while training.',
    });
  });
});
