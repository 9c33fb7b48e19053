import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExternalJob, Job, JobPage } from '../contract';
import {
  createJob,
  createTestApi,
  jobEvents,
  seedVersion,
  type TestApi,
} from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const config = { name: 'my run', task: 'detect', model: 'yolo11n.yaml', epochs: 3, imgsz: 64 };
const epoch = (n: number, loss: number) => ({
  type: 'epoch',
  epoch: n,
  metrics: { 'train/box_loss': loss, 'metrics/mAP50(B)': 0.1 * n },
});

const register = async () => {
  const res = await t.user('/api/runs', { method: 'POST', json: config });
  expect(res.status).toBe(201);
  return (await res.json()) as ExternalJob;
};
const report = (id: string, events: unknown[]) =>
  t.user(`/api/runs/${id}/events`, { method: 'POST', json: { events } });
const finish = (id: string, json: unknown) =>
  t.user(`/api/runs/${id}/finish`, { method: 'POST', json });
const getJob = async (id: string) => (await (await t.user(`/api/jobs/${id}`)).json()) as Job;

const streamed = (id: string, lastId?: string) => jobEvents(t, id, lastId);

describe('runs reported by a script', () => {
  it('registers a run, stores each epoch once, streams it and completes it', async () => {
    const run = await register();
    expect(run).toMatchObject({
      origin: 'external',
      status: 'training',
      config,
      finalMetrics: null,
    });
    expect(((await (await t.user('/api/jobs')).json()) as JobPage).jobs.map((j) => j.id)).toEqual([
      run.id,
    ]);

    const progress = { type: 'progress', progress: { epoch: 1, epochs: 3, batch: 2, batches: 4 } };
    const first = await report(run.id, [progress, epoch(1, 1.5)]);
    expect(await first.json()).toEqual({ accepted: 2, cancelRequested: false });
    // A retried post (the answer was lost) and a later one repeating epoch 1 store it once.
    await report(run.id, [progress, epoch(1, 1.5)]);
    await report(run.id, [epoch(1, 9.9), epoch(2, 1.2)]);
    const epochs = await (await t.user(`/api/jobs/${run.id}/epochs`)).json();
    expect(epochs).toEqual([
      { epoch: 1, metrics: { 'train/box_loss': 1.5, 'metrics/mAP50(B)': 0.1 } },
      { epoch: 2, metrics: { 'train/box_loss': 1.2, 'metrics/mAP50(B)': 0.2 } },
    ]);
    expect((await getJob(run.id)).progress).toEqual(progress.progress);

    const done = await finish(run.id, {
      status: 'completed',
      metrics: { 'metrics/mAP50(B)': 0.3 },
    });
    expect(await done.json()).toMatchObject({
      status: 'completed',
      finalMetrics: { 'metrics/mAP50(B)': 0.3 },
      modelVersionId: null,
    });
    // Finishing again the same way is a retry, not an error; a different end is refused.
    expect((await finish(run.id, { status: 'completed' })).status).toBe(200);
    const late = await finish(run.id, { status: 'failed', error: 'late' });
    expect([late.status, (await late.json()).error.code]).toEqual([409, 'job_finished']);
    expect((await report(run.id, [epoch(3, 1)])).status).toBe(409);

    const events = await streamed(run.id);
    expect(events.map((e) => e.data.type)).toEqual([
      'status',
      'progress',
      'epoch',
      'progress',
      'epoch',
      'status',
    ]);
    expect(events.filter((e) => e.data.type === 'epoch').map((e) => e.data.epoch)).toEqual([1, 2]);
    expect(events.at(-1)?.data).toEqual({ type: 'status', status: 'completed', error: null });
    const missed = await streamed(run.id, events[2]?.id);
    expect(missed.map((e) => e.data.type)).toEqual(['progress', 'epoch', 'status']);
  });

  it('records a failure with the script’s reason', async () => {
    const run = await register();
    const res = await finish(run.id, { status: 'failed', error: 'RuntimeError: disk full' });
    expect(await res.json()).toMatchObject({ status: 'failed', error: 'RuntimeError: disk full' });
    const noReason = await finish((await register()).id, { status: 'failed' });
    expect(noReason.status).toBe(400);
  });

  it('is cancelled from the web page at once and tells the script on its next report', async () => {
    const run = await register();
    const cancelled = await t.user(`/api/jobs/${run.id}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    const answer = await report(run.id, [epoch(1, 1)]);
    expect(await answer.json()).toEqual({ accepted: 0, cancelRequested: true });
    expect(await (await t.user(`/api/jobs/${run.id}/epochs`)).json()).toEqual([]);
    // The script then ends its training normally: the user's cancel stands.
    expect(await (await finish(run.id, { status: 'completed' })).json()).toMatchObject({
      status: 'cancelled',
    });
    expect((await t.user(`/api/jobs/${run.id}/cancel`, { method: 'POST' })).status).toBe(409);
  });

  it('is never leased by a runner, and a runner cannot report on it', async () => {
    const run = await register();
    const lease = await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } });
    expect(lease.status).toBe(204);
    const events = await t.runner(`/api/runner/jobs/${run.id}/events`, {
      method: 'POST',
      json: { leaseToken: 'guess', events: [epoch(1, 1)] },
    });
    expect((await events.json()).error.code).toBe('lease_lost');
    // The runner token cannot use the script's routes either.
    expect((await t.runner('/api/runs', { method: 'POST', json: config })).status).toBe(403);

    // A queued job next to it is leased as before, and the script routes refuse to touch it.
    const job = await createJob(t, (await seedVersion(t)).id);
    const leased = await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } });
    expect((await leased.json()).job).toMatchObject({ id: job.id, origin: 'queue' });
    const hijack = await report(job.id, [epoch(1, 1)]);
    expect([hijack.status, (await hijack.json()).error.code]).toEqual([409, 'not_external']);
  });

  it('answers 404 for an unknown run and 400 for invalid reports, storing nothing', async () => {
    const unknown = await report('00000000-0000-4000-8000-000000000000', [epoch(1, 1)]);
    expect([unknown.status, (await unknown.json()).error.code]).toEqual([404, 'not_found']);
    const run = await register();
    for (const events of [
      [{ type: 'epoch', epoch: 0, metrics: {} }],
      [{ type: 'epoch', epoch: 1, metrics: { loss: 'high' } }],
      [{ type: 'status', status: 'completed' }],
      [],
    ]) {
      expect((await report(run.id, events)).status).toBe(400);
    }
    const bad = await t.user('/api/runs', { method: 'POST', json: { ...config, task: 'pose' } });
    expect((await bad.json()).error.message).toMatch(/^task:/);
    expect(await (await t.user(`/api/jobs/${run.id}/epochs`)).json()).toEqual([]);
  });
});
