import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetManifest, JobSplitReport, Lease, SplitPreview } from '../contract';
import {
  createTestApi,
  seedVersion,
  sha256Of,
  tinyPng,
  type TestApi,
} from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const post = (json: Record<string, unknown>) => t.user('/api/jobs', { method: 'POST', json });

/** n real photos (one class each, alternating), uploaded and sealed; `pins` by photo index. */
async function seedPhotos(n: number, pins: Record<number, 'train' | 'val' | 'test'> = {}) {
  const images: DatasetManifest['images'] = [];
  for (let i = 0; i < n; i++) {
    const bytes = tinyPng(i + 10);
    const sha256 = sha256Of(bytes);
    await t.user(`/api/blobs/${sha256}`, { method: 'PUT', body: bytes });
    const boxes = [{ classIndex: i % 2, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }];
    images.push({ sha256, fileName: `card-${i}.png`, width: 2, height: 2, boxes, split: pins[i] });
  }
  return { images, version: await seedVersion(t, { name: 'cards', classes: ['a', 'b'], images }) };
}

describe('job split and annotation settings', () => {
  it('refuses validation and test shares that leave nothing to train on', async () => {
    const version = await seedVersion(t);
    for (const [valFraction, testFraction] of [
      [0.5, 0.5],
      [0.9, 0.2],
    ]) {
      const res = await post({
        datasetVersionId: version.id,
        task: 'detect',
        valFraction,
        testFraction,
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/together they must be below 1/);
    }
    expect(await (await t.user('/api/jobs')).json()).toMatchObject({ jobs: [], total: 0 });
  });

  it('stores the test share, stratification and annotation types with their defaults', async () => {
    const { version } = await seedPhotos(13);
    const plain = await (await post({ datasetVersionId: version.id, task: 'detect' })).json();
    expect(plain.config).toMatchObject({
      testFraction: 0,
      stratify: true,
      annotationTypes: 'both',
    });
    const res = await post({
      datasetVersionId: version.id,
      task: 'detect',
      valFraction: 0.2,
      testFraction: 0.1,
      stratify: false,
      annotationTypes: 'boxes',
    });
    expect(res.status).toBe(201);
    expect((await res.json()).config).toMatchObject({ testFraction: 0.1, stratify: false });
  });

  it.each([
    // The dataset has boxes only: detect from outlines has nothing to learn.
    ['detect', 'outlines', 422, /from outlines only/],
    // A box cannot become an outline, whatever the dataset holds.
    ['segment', 'boxes', 400, /a box cannot become an outline/],
  ] as const)('refuses %s from %s alone', async (task, annotationTypes, status, why) => {
    const version = await seedVersion(t);
    const res = await post({ datasetVersionId: version.id, task, annotationTypes });
    expect(res.status).toBe(status);
    expect(JSON.stringify(await res.json())).toMatch(why);
  });

  it('refuses a split with nothing left for a side, and queues nothing', async () => {
    const version = await seedVersion(t); // one photo
    const res = await post({ datasetVersionId: version.id, task: 'detect', testFraction: 0.1 });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: { code: 'split_too_small', message: expect.stringMatching(/1 photo is too few/) },
    });
    expect(await (await t.user('/api/jobs')).json()).toMatchObject({ jobs: [], total: 0 });
  });
});

describe('the split a job fixes', () => {
  const settings = (id: string) => ({ datasetVersionId: id, task: 'detect', seed: 3 });

  it('previews, stores, leases and reports the same photos: 2 or 3 of 13 at 20%', async () => {
    const { version } = await seedPhotos(13);
    const previewRes = await t.user('/api/jobs/split-preview', {
      method: 'POST',
      json: settings(version.id),
    });
    const preview = (await previewRes.json()) as SplitPreview;
    expect(preview.problem).toBeNull();
    expect([2, 3]).toContain(preview.counts.val);
    expect(preview.counts.train + preview.counts.val).toBe(13);

    const job = await (await post(settings(version.id))).json();
    const report = (await (await t.user(`/api/jobs/${job.id}/split`)).json()) as JobSplitReport;
    const side = (s: string) => report.photos.filter((p) => p.split === s).map((p) => p.sha256);
    expect(side('val')).toHaveLength(preview.counts.val);
    expect(report.photos.map((p) => p.fileName)).toContain('card-0.png');

    const leaseRes = await t.runner('/api/runner/lease', {
      method: 'POST',
      json: { runnerId: 'r1' },
    });
    const lease = (await leaseRes.json()) as Lease;
    expect(lease.split.val).toEqual(side('val'));
    expect(lease.split.train).toEqual(side('train'));
  });

  it('keeps pinned photos where they are pinned and says so', async () => {
    const { version, images } = await seedPhotos(13, { 0: 'val', 1: 'val', 2: 'test' });
    const job = await (await post(settings(version.id))).json();
    const report = (await (await t.user(`/api/jobs/${job.id}/split`)).json()) as JobSplitReport;
    const of = (i: number) => report.photos.find((p) => p.sha256 === images[i]!.sha256);
    expect(of(0)).toMatchObject({ split: 'val', pinned: true });
    expect(of(2)).toMatchObject({ split: 'test', pinned: true });
    expect(report.photos.filter((p) => p.split === 'val').length).toBeLessThanOrEqual(3);
  });

  it('a photo removed from the dataset moves at most one other photo between splits', async () => {
    const { images } = await seedPhotos(40);
    const sides = async (list: DatasetManifest['images']) => {
      const version = await seedVersion(t, { name: 'cards', classes: ['a', 'b'], images: list });
      const job = await (await post(settings(version.id))).json();
      const report = (await (await t.user(`/api/jobs/${job.id}/split`)).json()) as JobSplitReport;
      return new Map(report.photos.map((p) => [p.sha256, p.split]));
    };
    const before = await sides(images);
    for (const i of [0, 7, 21]) {
      const after = await sides(images.toSpliced(i, 1));
      const movedPhotos = [...after].filter(([sha, s]) => before.get(sha) !== s);
      // None, unless the validation count sat at the edge of its slack: then exactly one moves
      // (split.ts). Which removal hits that edge depends on the photos' hashes; the average
      // over many seeds is measured by split.spec.ts.
      expect(movedPhotos.length).toBeLessThanOrEqual(1);
    }
  });
});
