import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetManifest } from './contract';
import { createTestApi, sha256Of, tinyPng } from './testing/test-server';

type TestApi = Awaited<ReturnType<typeof createTestApi>>;
let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const png = tinyPng(1);
const sha = sha256Of(png);
const manifest = (
  boxes = [{ classIndex: 0, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }],
): DatasetManifest => ({
  name: 'cards',
  classes: ['card'],
  images: [{ sha256: sha, fileName: 'a.png', width: 2, height: 2, boxes }],
});

async function uploadAndSeal(m = manifest()) {
  await t.user(`/api/blobs/${sha}`, { method: 'PUT', body: png });
  const res = await t.user('/api/dataset-versions', { method: 'POST', json: m });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

describe('auth', () => {
  it('refuses a request without a token, and the runner token on user routes', async () => {
    expect((await t.api.request('/api/jobs')).status).toBe(401);
    expect((await t.runner('/api/jobs')).status).toBe(403);
    expect((await t.api.request('/api/health')).status).toBe(200);
  });
});

describe('blobs and dataset versions', () => {
  it('tells which blobs are missing, stores each once, and seals an immutable version', async () => {
    const plan = await t.user('/api/blobs/missing', { method: 'POST', json: { sha256s: [sha] } });
    expect(await plan.json()).toEqual({ missing: [sha] });
    expect((await t.user(`/api/blobs/${sha}`, { method: 'PUT', body: png })).status).toBe(201);
    expect((await t.user(`/api/blobs/${sha}`, { method: 'PUT', body: png })).status).toBe(200);
    const again = await t.user('/api/blobs/missing', { method: 'POST', json: { sha256s: [sha] } });
    expect(await again.json()).toEqual({ missing: [] });

    const first = await uploadAndSeal();
    const second = await uploadAndSeal();
    expect(second.id).toBe(first.id);
    const version = await (await t.user(`/api/dataset-versions/${first.id}`)).json();
    expect(version).toMatchObject({ imageCount: 1, boxCount: 1, classes: ['card'] });
  });

  it('refuses bytes that do not match their hash, and non-images, storing nothing', async () => {
    const wrong = await t.user(`/api/blobs/${'0'.repeat(64)}`, { method: 'PUT', body: png });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.code).toBe('hash_mismatch');
    const text = new TextEncoder().encode('not an image');
    const notImage = await t.user(`/api/blobs/${sha256Of(text)}`, { method: 'PUT', body: text });
    expect(notImage.status).toBe(415);
    const plan = await t.user('/api/blobs/missing', {
      method: 'POST',
      json: { sha256s: ['0'.repeat(64), sha256Of(text)] },
    });
    expect((await plan.json()).missing).toHaveLength(2);
  });

  it('refuses a label outside the image and a manifest whose images are not uploaded', async () => {
    await t.user(`/api/blobs/${sha}`, { method: 'PUT', body: png });
    const outside = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: manifest([{ classIndex: 0, x: 0.8, y: 0.1, w: 0.5, h: 0.5 }]),
    });
    expect(outside.status).toBe(400);
    expect((await outside.json()).error.message).toMatch(/outside the image/);
    const badClass = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: manifest([{ classIndex: 3, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }]),
    });
    expect((await badClass.json()).error.message).toMatch(/class 3 does not exist/);

    const other = tinyPng(9);
    const missing = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: { ...manifest(), images: [{ ...manifest().images[0], sha256: sha256Of(other) }] },
    });
    expect(missing.status).toBe(409);
    expect((await missing.json()).error.details.missing).toEqual([sha256Of(other)]);
    expect(await (await t.user('/api/dataset-versions')).json()).toEqual([]);
  });
});

describe('jobs', () => {
  it('refuses a job when a class has no labeled example, naming the class', async () => {
    await t.user(`/api/blobs/${sha}`, { method: 'PUT', body: png });
    const version = await (
      await t.user('/api/dataset-versions', {
        method: 'POST',
        json: { ...manifest(), classes: ['card', 'back'] },
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
    const version = await uploadAndSeal(manifest([]));
    const res = await t.user('/api/jobs', {
      method: 'POST',
      json: { datasetVersionId: version.id, task: 'detect' },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('empty_dataset');
    expect(await (await t.user('/api/jobs')).json()).toEqual([]);
  });

  it('runs the runner protocol: lease, idempotent epochs, artifacts, completion', async () => {
    const version = await uploadAndSeal();
    const job = await (
      await t.user('/api/jobs', {
        method: 'POST',
        json: { datasetVersionId: version.id, task: 'detect', epochs: 2, imgsz: 64 },
      })
    ).json();
    expect(job).toMatchObject({ status: 'queued', config: { model: 'yolo11n', epochs: 2 } });

    const lease = await (
      await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r1' } })
    ).json();
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

    const metadata = {
      task: 'detect',
      classNames: ['card'],
      imgsz: 64,
      stride: 32,
      inputName: 'images',
      inputShape: [1, 3, 64, 64],
      outputNames: ['output0'],
      outputShapes: [[1, 5, 84]],
      architecture: 'yolo11n',
      ultralyticsVersion: '8.4.190',
      epochs: 2,
      datasetVersionId: version.id,
      jobId: job.id,
      metrics: { 'metrics/mAP50(B)': 0.5 },
    };
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
    const version = await uploadAndSeal();
    await t.user('/api/jobs', {
      method: 'POST',
      json: { datasetVersionId: version.id, task: 'detect' },
    });
    const lease = async (runnerId: string) =>
      (await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId } })).json();
    const first = await lease('r1');
    t.clock.advance(61);
    const second = await lease('r2');
    expect(second.job.id).toBe(first.job.id);
    const zombie = await t.runner(`/api/runner/jobs/${first.job.id}/heartbeat`, {
      method: 'POST',
      json: { leaseToken: first.leaseToken },
    });
    expect(zombie.status).toBe(409);
  });

  it('replays missed events on the stream after Last-Event-ID', async () => {
    const version = await uploadAndSeal();
    const job = await (
      await t.user('/api/jobs', {
        method: 'POST',
        json: { datasetVersionId: version.id, task: 'detect' },
      })
    ).json();
    const lease = await (
      await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } })
    ).json();
    await t.runner(`/api/runner/jobs/${job.id}/fail`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken, error: 'out of memory' },
    });
    const read = async (lastId?: string) => {
      const res = await t.user(`/api/jobs/${job.id}/events`, {
        headers: lastId ? { 'last-event-id': lastId } : {},
      });
      return (await res.text())
        .split('\n\n')
        .filter((block) => block.includes('data: '))
        .map((block) => ({
          id: /^id: (\d+)$/m.exec(block)?.[1],
          data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}'),
        }));
    };
    const all = await read();
    expect(all.map((e) => e.data.status)).toEqual(['queued', 'preparing', 'failed']);
    const rest = await read(all[0]?.id);
    expect(rest.map((e) => e.data.status)).toEqual(['preparing', 'failed']);
    expect(rest.at(-1)?.data.error).toBe('out of memory');
  });

  it('cancels a queued job at once, and a running one through its runner', async () => {
    const version = await uploadAndSeal();
    const create = async () =>
      (
        await t.user('/api/jobs', {
          method: 'POST',
          json: { datasetVersionId: version.id, task: 'detect' },
        })
      ).json();
    const queued = await create();
    const cancelled = await t.user(`/api/jobs/${queued.id}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect(
      (await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } })).status,
    ).toBe(204);
    expect((await t.user(`/api/jobs/${queued.id}/cancel`, { method: 'POST' })).status).toBe(409);

    const running = await create();
    const lease = await (
      await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } })
    ).json();
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

  it('keeps the newest checkpoint and hands it to the runner that takes over', async () => {
    const version = await uploadAndSeal();
    const job = await (
      await t.user('/api/jobs', {
        method: 'POST',
        json: { datasetVersionId: version.id, task: 'detect', epochs: 20 },
      })
    ).json();
    const lease = async (runnerId: string) =>
      (await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId } })).json();
    const first = await lease('r1');
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
    const second = await lease('r2');
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
    const version = await uploadAndSeal();
    const job = await (
      await t.user('/api/jobs', {
        method: 'POST',
        json: { datasetVersionId: version.id, task: 'detect' },
      })
    ).json();
    const lease = await (
      await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } })
    ).json();
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
    const version = await uploadAndSeal();
    const job = await (
      await t.user('/api/jobs', {
        method: 'POST',
        json: { datasetVersionId: version.id, task: 'detect' },
      })
    ).json();
    const lease = await (
      await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'r' } })
    ).json();
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
