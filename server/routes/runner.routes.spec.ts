import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type TestApi,
  createJob,
  createTestApi,
  leaseJob,
  seedVersion,
  sha256Of,
  testModelMetadata,
} from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

describe('the runner protocol', () => {
  it('runs the runner protocol: lease, idempotent epochs, artifacts, completion', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id, { epochs: 2, imgsz: 64 });
    expect(job).toMatchObject({ status: 'queued', config: { model: 'yolo11n', epochs: 2 } });

    const lease = await leaseJob(t, 'r1');
    expect(lease.job.id).toBe(job.id);
    expect(
      (await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r2' } })).status,
    ).toBe(204);

    const epoch = { type: 'epoch', epoch: 1, metrics: { 'train/box_loss': 2.5 } };
    const events = {
      leaseToken: lease.leaseToken,
      events: [{ type: 'status', status: 'training' }, epoch],
    };
    for (let i = 0; i < 2; i++) {
      const res = await t.runner(`/api/runner/jobs/${job.id}/events`, {
        method: 'POST',
        json: events,
      });
      expect(res.status).toBe(200);
    }
    const epochs = await (await t.user(`/api/jobs/${job.id}/epochs`)).json();
    expect(epochs).toEqual([{ epoch: 1, metrics: { 'train/box_loss': 2.5 } }]);

    const early = await t.runner(`/api/runner/jobs/${job.id}/complete`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken },
    });
    expect((await early.json()).error.code).toBe('artifacts_missing');

    const metadata = testModelMetadata(job.id, version.id, { 'metrics/mAP50(B)': 0.5 });
    const onnxBytes = new Uint8Array([8, 1, 2, 3]);
    for (const [name, body] of [
      ['model.onnx', onnxBytes],
      ['metadata.json', JSON.stringify(metadata)],
    ] as const) {
      const res = await t.runner(`/api/runner/jobs/${job.id}/artifacts/${name}`, {
        method: 'PUT',
        body,
        headers: { 'x-lease-token': lease.leaseToken },
      });
      expect(res.status).toBe(201);
    }
    const done = await t.runner(`/api/runner/jobs/${job.id}/complete`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken },
    });
    const { modelVersionId } = await done.json();
    const finished = await (await t.user(`/api/jobs/${job.id}`)).json();
    expect(finished).toMatchObject({ status: 'completed', modelVersionId });
    const model = await t.user(`/api/models/${modelVersionId}/model.onnx`);
    expect(new Uint8Array(await model.arrayBuffer())).toEqual(onnxBytes);
    expect(model.headers.get('etag')).toBe(`"${sha256Of(onnxBytes)}"`);

    const late = await t.runner(`/api/runner/jobs/${job.id}/events`, {
      method: 'POST',
      json: events,
    });
    expect((await late.json()).error.code).toBe('lease_lost');
  });

  it('returns a job whose runner went silent to the queue and refuses the old runner', async () => {
    const version = await seedVersion(t);
    await createJob(t, version.id);
    const first = await leaseJob(t, 'r1');
    t.clock.advance(61);
    const second = await leaseJob(t, 'r2');
    expect(second.job.id).toBe(first.job.id);
    const zombie = await t.runner(`/api/runner/jobs/${first.job.id}/heartbeat`, {
      method: 'POST',
      json: { leaseToken: first.leaseToken },
    });
    expect(zombie.status).toBe(409);
  });

  it('keeps the newest checkpoint and hands it to the runner that takes over', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id, { epochs: 20 });
    const first = await leaseJob(t, 'r1');
    expect(first.checkpoint).toBeNull();
    const put = (epoch: number, bytes: number[]) =>
      t.runner(`/api/runner/jobs/${job.id}/checkpoint?epoch=${epoch}`, {
        method: 'PUT',
        body: new Uint8Array(bytes),
        headers: { 'x-lease-token': first.leaseToken },
      });
    expect((await put(5, [5, 5])).status).toBe(201);
    expect((await put(3, [3])).status).toBe(201); // late and older: ignored
    const health = { runnerId: 'r1', device: 'cpu', cpuPercent: 97, diskFreeBytes: 1e9, gpus: [] };
    const beat = await t.runner(`/api/runner/jobs/${job.id}/heartbeat`, {
      method: 'POST',
      json: { leaseToken: first.leaseToken, health },
    });
    expect(beat.status).toBe(200);
    expect(await (await t.user(`/api/jobs/${job.id}`)).json()).toMatchObject({
      checkpointEpoch: 5,
      health: { cpuPercent: 97 },
    });

    t.clock.advance(61);
    const second = await leaseJob(t, 'r2');
    expect(second.job.id).toBe(job.id);
    expect(second.checkpoint).toMatchObject({ epoch: 5, bytes: 2 });
    const file = await t.runner(`/api/runner/jobs/${job.id}/checkpoint`, {
      headers: { 'x-lease-token': second.leaseToken },
    });
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([5, 5]);
    const stale = await t.runner(`/api/runner/jobs/${job.id}/checkpoint`, {
      headers: { 'x-lease-token': first.leaseToken },
    });
    expect(stale.status).toBe(409);
  });

  it('keeps extra artifacts with the job and refuses names that are not plain files', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id);
    const lease = await leaseJob(t, 'r');
    const put = (name: string) =>
      t.runner(`/api/runner/jobs/${job.id}/artifacts/${name}`, {
        method: 'PUT',
        body: '{"perClass": []}',
        headers: { 'x-lease-token': lease.leaseToken },
      });
    expect((await put('validation.json')).status).toBe(201);
    expect((await put('..%2Fescape.json')).status).toBe(400);
    expect((await put('model.exe')).status).toBe(400);
    const list = await (await t.user(`/api/jobs/${job.id}/artifacts`)).json();
    expect(list.map((a: { name: string }) => a.name)).toEqual(['validation.json']);
    const file = await t.user(`/api/jobs/${job.id}/artifacts/validation.json`);
    expect(await file.json()).toEqual({ perClass: [] });
  });

  it('relays runner notices and answers cancellation on every report', async () => {
    const version = await seedVersion(t);
    const job = await createJob(t, version.id);
    const lease = await leaseJob(t, 'r');
    const report = (message: string) =>
      t.runner(`/api/runner/jobs/${job.id}/events`, {
        method: 'POST',
        json: {
          leaseToken: lease.leaseToken,
          events: [{ type: 'notice', level: 'warning', message }],
        },
      });
    expect(await (await report('out of memory at batch 16; retrying with batch 8')).json()).toEqual(
      {
        accepted: 1,
        cancelRequested: false,
      },
    );
    await t.user(`/api/jobs/${job.id}/cancel`, { method: 'POST' });
    expect((await (await report('still going')).json()).cancelRequested).toBe(true);
    const events = t.services.jobs.eventsAfter(job.id, 0).map((e) => e.event);
    expect(events).toContainEqual({
      type: 'notice',
      level: 'warning',
      message: 'out of memory at batch 16; retrying with batch 8',
    });
  });
});
