import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApi } from '../app';
import type { CreateJobRequest, DatasetManifest, DatasetVersion, Job, Lease } from '../contract';
import { BlobStore } from '../repositories/blob-store';
import { openDatabase } from '../repositories/database';
import { createServices, type ServiceOptions } from '../services';
import type { Clock } from '../services/clock';

/** A clock the test moves by hand: the one boundary server tests replace. */
export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now = () => new Date(this.ms);
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** Calls the API with a token; `json` becomes the body. Also used against a real server (e2e). */
export const tokenCaller =
  (send: (path: string, init: RequestInit) => Response | Promise<Response>) =>
  (token: string) =>
  (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return send(path, { ...init, headers, body });
  };

/** The real API over a real SQLite file and blob folder in a temporary directory. */
export async function createTestApi(
  leaseSeconds = 60,
  trustedWeights: string[] = [],
  /** Overrides of the other service options (limits). */
  options: Partial<
    Pick<ServiceOptions, 'maxBlobBytes' | 'maxPredictBytes' | 'limits' | 'pretrained'>
  > = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-test-'));
  const db = openDatabase(join(dir, 'loupe.sqlite'));
  const blobStore = new BlobStore(join(dir, 'blobs'));
  await blobStore.init();
  const clock = new ManualClock();
  const tokens = { userToken: 'user-token', runnerToken: 'runner-token' };
  const services = createServices({
    db,
    blobStore,
    clock,
    leaseSeconds,
    maxBlobBytes: 1024 * 1024,
    trustedWeights,
    pretrained: { folder: join(dir, 'weights'), label: 'data/weights', pins: {}, download: true },
    ...options,
  });
  const api = createApi(services, tokens);
  const call = tokenCaller((path, init) => api.request(path, init));
  return {
    api,
    db,
    clock,
    services,
    user: call(tokens.userToken),
    runner: call(tokens.runnerToken),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A real 2x2 PNG (libpng decodes it: the server proves every image decodes), different for each seed. */
export function tinyPng(seed = 0): Uint8Array<ArrayBuffer> {
  const b64 =
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAFUlEQVQI12M4IScnd0KOAUh8+PABACAWBd2M2OekAAAAAElFTkSuQmCC';
  const bytes = Buffer.from(b64, 'base64');
  // Appending bytes after IEND keeps the PNG valid and changes its hash.
  return new Uint8Array(Buffer.concat([bytes, Buffer.from([seed])]));
}

export type TestApi = Awaited<ReturnType<typeof createTestApi>>;

/** One real image and a manifest that labels it, for tests that need a dataset. */
export const testImage = tinyPng(1);
export const testImageSha = sha256Of(testImage);
export const testManifest = (
  boxes = [{ classIndex: 0, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }],
): DatasetManifest => ({
  name: 'cards',
  classes: ['card'],
  images: [{ sha256: testImageSha, fileName: 'a.png', width: 2, height: 2, boxes }],
});

/** Uploads the test image and seals a dataset version through the API, as a client syncs. */
export async function seedVersion(t: TestApi, manifest = testManifest()) {
  await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
  const res = await t.user('/api/dataset-versions', { method: 'POST', json: manifest });
  if (res.status !== 201) throw new Error(`sealing failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as DatasetVersion;
}

/** Queues a training job through the API; `config` overrides the defaults. */
export async function createJob(
  t: TestApi,
  datasetVersionId: string,
  config: Partial<CreateJobRequest> = {},
) {
  const json = { datasetVersionId, task: 'detect', ...config };
  return (await (await t.user('/api/jobs', { method: 'POST', json })).json()) as Job;
}

/** A job's event stream as the job page reads it, from after `lastId` (it ends when the job does). */
export async function jobEvents(t: TestApi, jobId: string, lastId?: string) {
  const res = await t.user(`/api/jobs/${jobId}/events`, {
    headers: lastId ? { 'last-event-id': lastId } : {},
  });
  return (await res.text())
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => ({
      id: /^id: (\d+)$/m.exec(block)?.[1],
      data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>,
    }));
}

/** Leases the next job as a runner would; the test expects one to be queued. */
export async function leaseJob(t: TestApi, runnerId = 'r') {
  const res = await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId } });
  if (res.status !== 200) throw new Error(`no job to lease: ${res.status}`);
  return (await res.json()) as Lease;
}

/** The metadata.json our runner uploads beside model.onnx, for a 64 px one-class detector. */
export const testModelMetadata = (
  jobId: string,
  datasetVersionId: string,
  metrics: Record<string, number> = {},
) => ({
  task: 'detect',
  classNames: ['card'],
  imgsz: 64,
  stride: 32,
  inputName: 'images',
  inputShape: [1, 3, 64, 64],
  outputNames: ['output0'],
  outputShapes: [[1, 5, 84]],
  architecture: 'yolov8n',
  ultralyticsVersion: '8.4.190',
  epochs: 1,
  datasetVersionId,
  jobId,
  metrics,
});

export type RegisterModelOptions = {
  metrics?: Record<string, number>;
  /** Also upload a (stand-in) best.pt, as our runner does. */
  bestPt?: boolean;
  onnx?: Uint8Array<ArrayBuffer>;
  /** The name asked for at training (the job's modelName). */
  modelName?: string;
};

/** Runs a job through the runner protocol to a model version, as our runner would. */
export async function registerModel(
  t: TestApi,
  datasetVersionId: string,
  o: RegisterModelOptions = {},
) {
  const job = await createJob(t, datasetVersionId, o.modelName ? { modelName: o.modelName } : {});
  const lease = await leaseJob(t);
  const metadata = testModelMetadata(job.id, datasetVersionId, o.metrics);
  const onnx = o.onnx ?? new Uint8Array([8, 1, job.id.charCodeAt(0), job.id.charCodeAt(1)]);
  const files: [string, Uint8Array<ArrayBuffer> | string][] = [
    ['model.onnx', onnx],
    ['metadata.json', JSON.stringify(metadata)],
  ];
  if (o.bestPt) files.push(['best.pt', new Uint8Array([0x80, 0x02, 9, job.id.charCodeAt(0)])]);
  for (const [name, body] of files) {
    await t.runner(`/api/runner/jobs/${job.id}/artifacts/${name}`, {
      method: 'PUT',
      body,
      headers: { 'x-lease-token': lease.leaseToken },
    });
  }
  const done = await t.runner(`/api/runner/jobs/${job.id}/complete`, {
    method: 'POST',
    json: { leaseToken: lease.leaseToken },
  });
  const { modelVersionId } = (await done.json()) as { modelVersionId: string };
  const artifacts = (await (await t.user(`/api/jobs/${job.id}/artifacts`)).json()) as {
    name: string;
    sha256: string;
  }[];
  return { modelVersionId, jobId: job.id, bestPt: artifacts.find((a) => a.name === 'best.pt') };
}
