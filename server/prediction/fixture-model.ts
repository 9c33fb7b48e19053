/**
 * Test helper: registers a real exported model (an inference fixture folder from
 * test/fixtures/make_inference_fixtures.py: model.onnx, metadata.json, images/) as a model
 * version through the public API, as a gpu-runner would: seal a dataset version with the model's
 * classes, queue a job, lease it, upload model.onnx and metadata.json, complete. Used by the
 * route tests (app.request) and the end-to-end test (a real server over HTTP).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetVersion, Job, Lease, ModelMetadata } from '../contract';

/** One API call as `role`; JSON bodies are sent with their content type. */
export type SendAs = (
  role: 'user' | 'runner',
  path: string,
  init?: { method?: string; body?: BodyInit; json?: unknown; headers?: Record<string, string> },
) => Promise<Response>;

async function ok<T>(response: Promise<Response>, what: string): Promise<T> {
  const res = await response;
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** The fixture's images, with their size, as listed in its reference.json. */
export function fixtureImages(dir: string): { file: string; width: number; height: number }[] {
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
    images: { file: string; width: number; height: number }[];
  };
  return reference.images.map(({ file, width, height }) => ({ file, width, height }));
}

/** Registers the fixture's model; answers the new model version's id. */
export async function registerFixtureModel(send: SendAs, dir: string): Promise<string> {
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as ModelMetadata;
  // One labeled image per class, so the dataset can train the task (the job never trains).
  const images = fixtureImages(dir).slice(0, metadata.classNames.length);
  const entries = [];
  for (const [classIndex, image] of images.entries()) {
    const bytes = readFileSync(join(dir, 'images', image.file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await ok(send('user', `/api/blobs/${sha256}`, { method: 'PUT', body: bytes }), 'image upload');
    const { file: fileName, width, height } = image;
    const boxes = [{ classIndex, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }];
    entries.push({ sha256, fileName, width, height, boxes, imageClass: classIndex });
  }
  const manifest = { name: 'fixture', classes: metadata.classNames, images: entries };
  const version = await ok<DatasetVersion>(
    send('user', '/api/dataset-versions', { method: 'POST', json: manifest }),
    'sealing the dataset',
  );
  const job = await ok<Job>(
    send('user', '/api/jobs', {
      method: 'POST',
      json: { datasetVersionId: version.id, task: metadata.task },
    }),
    'creating the job',
  );
  const lease = await ok<Lease>(
    send('runner', '/api/runner/lease', { method: 'POST', json: { runnerId: 'fixture' } }),
    'leasing the job',
  );
  if (lease?.job.id !== job.id) throw new Error('another job was leased; is a runner running?');
  const files: [string, BodyInit][] = [
    ['model.onnx', readFileSync(join(dir, 'model.onnx'))],
    ['metadata.json', JSON.stringify({ ...metadata, jobId: job.id, datasetVersionId: version.id })],
  ];
  for (const [name, body] of files) {
    await ok(
      send('runner', `/api/runner/jobs/${job.id}/artifacts/${name}`, {
        method: 'PUT',
        body,
        headers: { 'x-lease-token': lease.leaseToken },
      }),
      `uploading ${name}`,
    );
  }
  const done = await ok<{ modelVersionId: string }>(
    send('runner', `/api/runner/jobs/${job.id}/complete`, {
      method: 'POST',
      json: { leaseToken: lease.leaseToken },
    }),
    'completing the job',
  );
  return done.modelVersionId;
}
