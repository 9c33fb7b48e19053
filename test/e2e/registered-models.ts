import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetVersion, Job, Lease } from '../../server/contract';
import type { Tokens } from '../../server/http/auth';

/**
 * Registers fixture models (real Ultralytics exports from test/fixtures) on a running server
 * through the same HTTP calls a gpu-runner makes, so a test needs no training of its own.
 */
export function fixtureRegistry(baseUrl: string, tokens: Tokens) {
  async function call<T>(token: string, path: string, init: RequestInit & { json?: unknown } = {}) {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
    const res = await fetch(baseUrl + path, { ...init, headers, body });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? null : await res.json()) as T;
  }
  const user = <T>(path: string, init?: RequestInit & { json?: unknown }) =>
    call<T>(tokens.userToken, path, init);
  const runner = <T>(path: string, init?: RequestInit & { json?: unknown }) =>
    call<T>(tokens.runnerToken, path, init);

  /** A dataset version with the fixture's classes, sealed as the PWA's sync does. */
  async function seedDataset(fixtureDir: string): Promise<DatasetVersion> {
    const labels = JSON.parse(readFileSync(join(fixtureDir, 'labels.json'), 'utf8')) as {
      classes: string[];
      images: { file: string; width: number; height: number; boxes: unknown[] }[];
    };
    const image = labels.images[0]!;
    const bytes = readFileSync(join(fixtureDir, 'images', image.file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await user(`/api/blobs/${sha256}`, { method: 'PUT', body: bytes });
    const { width, height, boxes } = image;
    return user<DatasetVersion>('/api/dataset-versions', {
      method: 'POST',
      json: {
        name: 'cards',
        classes: labels.classes,
        images: [{ sha256, fileName: image.file, width, height, boxes }],
      },
    });
  }

  /** A job run through the runner protocol whose artifacts are the fixture's real export. */
  async function registerFixture(fixtureDir: string, datasetVersionId: string): Promise<string> {
    const job = await user<Job>('/api/jobs', {
      method: 'POST',
      json: { datasetVersionId, task: 'detect' },
    });
    const lease = await runner<Lease>('/api/runner/lease', {
      method: 'POST',
      json: { runnerId: 'e2e' },
    });
    const metadata = JSON.parse(readFileSync(join(fixtureDir, 'metadata.json'), 'utf8')) as object;
    const files: [string, Uint8Array | string][] = [
      ['model.onnx', readFileSync(join(fixtureDir, 'model.onnx'))],
      ['metadata.json', JSON.stringify({ ...metadata, jobId: job.id, datasetVersionId })],
    ];
    for (const [name, body] of files) {
      await runner(`/api/runner/jobs/${lease.job.id}/artifacts/${name}`, {
        method: 'PUT',
        body: body as BodyInit,
        headers: { 'x-lease-token': lease.leaseToken },
      });
    }
    const done = await runner<{ modelVersionId: string }>(
      `/api/runner/jobs/${lease.job.id}/complete`,
      {
        method: 'POST',
        json: { leaseToken: lease.leaseToken },
      },
    );
    return done.modelVersionId;
  }

  return { user, runner, seedDataset, registerFixture };
}
