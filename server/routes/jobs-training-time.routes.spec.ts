import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainingTimeEstimate } from '../contract';
import {
  type TestApi,
  createJob,
  createTestApi,
  leaseJob,
  seedVersion,
  testModelMetadata,
} from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

/** A job run to its end through the runner protocol, its epochs taking `times` seconds each. */
async function finishJob(imgsz: number, times: number[], runnerId = 'r1', device = 'cpu') {
  const version = await seedVersion(t);
  const job = await createJob(t, version.id, { imgsz, epochs: times.length, valFraction: 0.5 });
  const lease = await leaseJob(t, runnerId);
  const leaseToken = lease.leaseToken;
  await t.runner(`/api/runner/jobs/${job.id}/heartbeat`, {
    method: 'POST',
    json: { leaseToken, health: { runnerId, device } },
  });
  const epochs = times.map((time, i) => ({
    type: 'epoch',
    epoch: i + 1,
    metrics: { 'time/epoch': time, 'metrics/mAP50(B)': 0.5 },
  }));
  await t.runner(`/api/runner/jobs/${job.id}/events`, {
    method: 'POST',
    json: { leaseToken, events: [{ type: 'status', status: 'training' }, ...epochs] },
  });
  const metadata = testModelMetadata(job.id, version.id);
  for (const [name, body] of [
    ['model.onnx', new Uint8Array([8, 1, 2, job.id.charCodeAt(0)])],
    ['metadata.json', JSON.stringify(metadata)],
  ] as const) {
    await t.runner(`/api/runner/jobs/${job.id}/artifacts/${name}`, {
      method: 'PUT',
      body,
      headers: { 'x-lease-token': leaseToken },
    });
  }
  const done = await t.runner(`/api/runner/jobs/${job.id}/complete`, {
    method: 'POST',
    json: { leaseToken },
  });
  expect(done.status).toBe(200);
  return job.id;
}

const estimate = async (query: string) => {
  const res = await t.user(`/api/jobs/training-time?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as TrainingTimeEstimate;
};

describe('GET /api/jobs/training-time', () => {
  it('says it does not know before any job finished', async () => {
    const e = await estimate('model=yolo11n&task=detect&imgsz=320&photos=13&epochs=60');
    expect(e.known).toBe(false);
  });

  it('reads the median epoch time of a finished job on the runner, scaled to the ask', async () => {
    // The first epoch pays for loading the photos: the median leaves it out.
    const jobId = await finishJob(160, [9, 2, 2.2, 1.8, 2]);
    const e = await estimate('model=yolo11n&task=detect&imgsz=320&photos=1&epochs=10');
    // The seeded version has 1 photo; 320 px is four times the pixels of 160 px.
    expect(e).toMatchObject({
      known: true,
      secondsPerEpoch: 8,
      seconds: 80,
      basis: { jobId, runnerId: 'r1', device: 'cpu', photos: 1, imgsz: 160, secondsPerEpoch: 2 },
    });
  });

  it('follows the runner that finished the newest job', async () => {
    await finishJob(160, [2, 2, 2], 'old');
    await finishJob(160, [6, 6, 6], 'new', 'cuda:0 NVIDIA H100');
    const e = await estimate('model=yolo11n&task=detect&imgsz=160&photos=1&epochs=3');
    expect(e).toMatchObject({ known: true, seconds: 18, basis: { runnerId: 'new' } });
  });

  it('refuses a query that is not a model, task and sizes', async () => {
    const res = await t.user('/api/jobs/training-time?model=yolo11n&task=detect&imgsz=0');
    expect(res.status).toBe(400);
  });
});
