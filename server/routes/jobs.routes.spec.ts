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
    expect(await (await t.user('/api/jobs')).json()).toMatchObject({ jobs: [], total: 0 });
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

  it("dates a job's start at its first lease and its end at its final status", async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id);
    const at = (seconds: number) => new Date(Date.parse(job.createdAt) + seconds * 1000);
    expect(job).toMatchObject({ startedAt: null, finishedAt: null });
    t.clock.advance(90); // in the queue
    await leaseJob(t, 'r1');
    // The runner dies; its lease runs out and another runner takes the job: it started earlier.
    t.clock.advance(120);
    const lease = await leaseJob(t, 'r2');
    t.clock.advance(30);
    await t.runner(`/api/runner/jobs/${job.id}/fail`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken, error: 'out of memory' },
    });
    t.clock.advance(5);
    await t.user(`/api/jobs/${job.id}/cancel`, { method: 'POST' }); // refused: it has ended
    const ended = (await (await t.user(`/api/jobs/${job.id}`)).json()) as typeof job;
    expect(ended).toMatchObject({
      status: 'failed',
      startedAt: at(90).toISOString(),
      finishedAt: at(240).toISOString(),
    });

    // Cancelled in the queue: it ended without ever starting.
    const never = await createJob(t, version.id);
    t.clock.advance(10);
    const cancelled = await (
      await t.user(`/api/jobs/${never.id}/cancel`, { method: 'POST' })
    ).json();
    expect(cancelled).toMatchObject({ startedAt: null, finishedAt: t.clock.now().toISOString() });
  });

  it('reads the notices a job sent before anyone listened, with the live stream ids', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id);
    const lease = await leaseJob(t, 'r');
    const notice = (message: string) => ({ type: 'notice', level: 'warning', message });
    await t.runner(`/api/runner/jobs/${job.id}/events`, {
      method: 'POST',
      json: {
        leaseToken: lease.leaseToken,
        events: [
          notice('out of memory, retrying with batch 8'),
          { type: 'progress', progress: { epoch: 1, epochs: 10, batch: 1, batches: 4 } },
          notice('retrying with batch 4'),
        ],
      },
    });
    await t.runner(`/api/runner/jobs/${job.id}/fail`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken, error: 'out of memory' },
    });
    const log = async (query: string) => {
      const res = await t.user(`/api/jobs/${job.id}/log${query}`);
      type Stored = { id: number; event: { type: string; message?: string } };
      return { status: res.status, body: (await res.json()) as Stored[] };
    };
    const notices = (await log('?types=notice')).body;
    expect(notices.map((n) => n.event.message)).toEqual([
      'out of memory, retrying with batch 8',
      'retrying with batch 4',
    ]);
    const stream = await jobEvents(t, job.id);
    const streamIdOf = (message: string | undefined) =>
      Number(stream.find((e) => e.data.message === message)?.id);
    expect(notices.map((n) => n.id)).toEqual(notices.map((n) => streamIdOf(n.event.message)));

    const both = (await log('?types=notice,status')).body.map((e) => e.event.type);
    expect(both).toEqual(['status', 'status', 'notice', 'notice', 'status']);
    expect((await log('')).body).toHaveLength(6);
    expect((await log(`?after=${notices[0]!.id}&types=notice`)).body).toHaveLength(1);
    expect((await log('?types=notice,gossip')).status).toBe(400);
    const none = await t.user('/api/jobs/00000000-0000-4000-8000-000000000000/log');
    expect(none.status).toBe(404);
  });
});
