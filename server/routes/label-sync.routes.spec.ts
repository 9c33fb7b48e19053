import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabelMutation, LiveDatasetSummary, LiveLabels } from '../contract';
import { LabelSyncRepository } from '../repositories/label-sync.repository';
import { LAPTOP, labelSyncClient, PHONE, sha } from '../testing/label-sync-client';
import { createTestApi, testImage, testImageSha, type TestApi } from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const DATASET = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

const labels = (x: number, classIndex = 0): LiveLabels => ({
  boxes: [{ classIndex, x, y: 0.1, w: 0.2, h: 0.2 }],
  polygons: [],
  imageClass: null,
});

const mutation = (seq: number, image: number, l: LiveLabels, baseRevision = 0): LabelMutation => ({
  seq,
  sha256: sha(image),
  baseRevision,
  labels: l,
  image: { fileName: `${image}.jpg`, width: 640, height: 480 },
});

const { push, pushed, changes, conflicts } = labelSyncClient(() => t, DATASET, ['card', 'back']);

describe('label sync', () => {
  it('applies a batch once: the same batch again changes nothing and answers the same', async () => {
    const batch = [
      mutation(1, 1, labels(0.1)),
      mutation(2, 2, labels(0.2)),
      mutation(3, 1, labels(0.3)),
    ];
    const first = await pushed(PHONE, batch);
    expect(first.results.map((r) => [r.outcome, r.revision])).toEqual([
      ['applied', 1],
      ['applied', 2],
      ['applied', 3],
    ]);
    const before = await changes();
    // A lost acknowledgement: the client never saw `first` and sends the batch again.
    const again = await pushed(PHONE, batch);
    expect(again.results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(again.lastSeq).toBe(3);
    expect(await changes()).toEqual(before);
    expect(before.revision).toBe(3);
    expect(before.images.find((i) => i.sha256 === sha(1))?.labels).toEqual(labels(0.3));
    const repo = new LabelSyncRepository(t.db);
    expect(repo.mutations(DATASET)).toHaveLength(3);
  });

  it('refuses a gap with the last applied seq, and applies nothing of that push', async () => {
    await pushed(PHONE, [mutation(1, 1, labels(0.1))]);
    const res = await push(PHONE, [mutation(2, 2, labels(0.2)), mutation(4, 3, labels(0.3))]);
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe('sequence_gap');
    expect(body.error.details).toEqual({ lastSeq: 1 });
    expect((await changes()).images.map((i) => i.sha256)).toEqual([sha(1)]);
  });

  it('keeps the losing edit as a conflict, and a resolve mutation settles it', async () => {
    await pushed(PHONE, [mutation(1, 1, labels(0.1))]);
    // Both devices saw revision 1, then edited the same image offline.
    await pushed(LAPTOP, [mutation(1, 1, labels(0.5), 1)]);
    const late = await pushed(PHONE, [mutation(2, 1, labels(0.3), 1)]);
    const [result] = late.results;
    expect(result).toMatchObject({ outcome: 'conflict', revision: 2, labels: labels(0.5) });
    expect((await changes()).images[0]?.labels).toEqual(labels(0.5));
    const [conflict] = await conflicts();
    expect(conflict).toMatchObject({
      id: result!.conflictId,
      deviceId: PHONE,
      labels: labels(0.3),
      baseRevision: 1,
      currentLabels: labels(0.5),
      currentRevision: 2,
      fileName: '1.jpg',
    });
    // Keep both: the union of boxes, sent as an ordinary mutation that names the conflict.
    const both = { ...labels(0.5), boxes: [...labels(0.5).boxes, ...labels(0.3).boxes] };
    const settle = { ...mutation(2, 1, both, 2), resolves: [conflict!.id] };
    expect((await pushed(LAPTOP, [settle])).results[0]?.outcome).toBe('applied');
    expect(await conflicts()).toEqual([]);
    expect((await changes(2)).images[0]?.labels).toEqual(both);
  });

  it("applies a device's edits in a row on its own earlier edit", async () => {
    // Recorded offline, both from revision 0: the second builds on the first, no conflict.
    const res = await pushed(PHONE, [mutation(1, 1, labels(0.1)), mutation(2, 1, labels(0.2))]);
    expect(res.results.map((r) => r.outcome)).toEqual(['applied', 'applied']);
    // Another device that never saw the image's labels conflicts; identical labels do not.
    const other = await pushed(LAPTOP, [mutation(1, 1, labels(0.2)), mutation(2, 1, labels(0.6))]);
    expect(other.results.map((r) => r.outcome)).toEqual(['unchanged', 'applied']);
    const third = await pushed('tablet-03', [mutation(1, 1, labels(0.7))]);
    expect(third.results[0]?.outcome).toBe('conflict');
  });

  it('pulls the images changed since a cursor, with the next cursor', async () => {
    await pushed(PHONE, [mutation(1, 1, labels(0.1)), mutation(2, 2, labels(0.2))]);
    const all = await changes();
    expect(all).toMatchObject({ revision: 2, classes: ['card', 'back'], conflicts: 0 });
    await pushed(LAPTOP, [mutation(1, 2, labels(0.4), 2)]);
    const later = await changes(all.revision);
    expect(later.revision).toBe(3);
    expect(later.images).toEqual([
      {
        sha256: sha(2),
        fileName: '2.jpg',
        width: 640,
        height: 480,
        labels: labels(0.4),
        revision: 3,
      },
    ]);
    expect((await changes(3)).images).toEqual([]);
  });

  it('refuses unknown class indices, and maps labels to classes by name', async () => {
    const unknown = await push(PHONE, [mutation(1, 1, labels(0.1, 5))]);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.message).toMatch(/class 5 does not exist/);
    await pushed(PHONE, [mutation(1, 1, labels(0.1))]);
    // A list in another order: the label names "card", which is class 0 on the server.
    const reordered = await push(LAPTOP, [mutation(1, 2, labels(0.1, 1))], ['back', 'card']);
    expect((await reordered.json()).results[0].labels).toEqual(labels(0.1, 0));
    // A class the server lacks is added, never dropped.
    const added = await push(LAPTOP, [mutation(2, 2, labels(0.1, 2))], ['card', 'back', 'slab']);
    expect(added.status).toBe(200);
    expect((await changes()).classes).toEqual(['card', 'back', 'slab']);
  });

  it('tells a device its last applied seq, so lost local changes can be counted', async () => {
    const state = async (device: string) =>
      (await t.user(`/api/label-sync/${DATASET}/devices/${device}`)).json();
    expect(await state(PHONE)).toMatchObject({ lastSeq: 0, datasetKnown: false });
    await pushed(PHONE, [mutation(1, 1, labels(0.1)), mutation(2, 2, labels(0.2))]);
    expect(await state(PHONE)).toMatchObject({ lastSeq: 2, datasetKnown: true });
    expect(await state(LAPTOP)).toMatchObject({ lastSeq: 0, datasetKnown: true });
  });

  it('lists the live datasets a device can join, the most recently changed first', async () => {
    const list = async () => {
      const res = await t.user('/api/label-sync');
      expect(res.status).toBe(200);
      return (await res.json()) as LiveDatasetSummary[];
    };
    expect(await list()).toEqual([]);
    await pushed(PHONE, [mutation(1, 1, labels(0.1)), mutation(2, 2, labels(0.2))]);
    t.clock.advance(60);
    const other = 'a6f1c2d3-0000-4000-8000-000000000002';
    const res = await t.user(`/api/label-sync/${other}/push`, {
      method: 'POST',
      json: { deviceId: LAPTOP, name: 'slabs', task: 'detect', classes: ['slab'], mutations: [] },
    });
    expect(res.status).toBe(400); // a push carries at least one mutation
    await t.user(`/api/label-sync/${other}/push`, {
      method: 'POST',
      json: {
        deviceId: LAPTOP,
        name: 'slabs',
        task: 'detect',
        classes: ['slab'],
        mutations: [mutation(1, 3, labels(0.3))],
      },
    });
    expect(await list()).toEqual([
      {
        datasetId: other,
        name: 'slabs',
        task: 'detect',
        classes: ['slab'],
        imageCount: 1,
        revision: 1,
        updatedAt: '2026-01-01T00:01:00.000Z',
      },
      {
        datasetId: DATASET,
        name: 'cards',
        task: 'detect',
        classes: ['card', 'back'],
        imageCount: 2,
        revision: 2,
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    // A third device's edit makes that dataset the most recent one.
    t.clock.advance(60);
    await pushed('tablet-0003', [mutation(1, 4, labels(0.4))]);
    expect((await list()).map((d) => [d.datasetId, d.imageCount])).toEqual([
      [DATASET, 3],
      [other, 1],
    ]);
    expect((await t.api.request('/api/label-sync')).status).toBe(401);
  });

  it('seals the live dataset as a dataset version once its images are uploaded', async () => {
    const m = { ...mutation(1, 0, labels(0.1)), sha256: testImageSha };
    await pushed(PHONE, [{ ...m, image: { fileName: 'a.png', width: 2, height: 2 } }]);
    const missing = await t.user(`/api/label-sync/${DATASET}/seal`, { method: 'POST' });
    expect(missing.status).toBe(409);
    await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
    const sealed = await t.user(`/api/label-sync/${DATASET}/seal`, { method: 'POST' });
    expect(sealed.status).toBe(201);
    expect(await sealed.json()).toMatchObject({
      imageCount: 1,
      boxCount: 1,
      classes: ['card', 'back'],
    });
  });

  it('carries a split pin to other devices and into the sealed version', async () => {
    const pinned = { ...labels(0.1), split: 'val' as const };
    const m = { ...mutation(1, 0, pinned), sha256: testImageSha };
    await pushed(PHONE, [{ ...m, image: { fileName: 'a.png', width: 2, height: 2 } }]);
    expect((await changes()).images.find((i) => i.sha256 === testImageSha)?.labels).toEqual(pinned);
    await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
    const version = await (
      await t.user(`/api/label-sync/${DATASET}/seal`, { method: 'POST' })
    ).json();
    const manifest = await (await t.user(`/api/dataset-versions/${version.id}/manifest`)).json();
    expect(manifest.images[0]).toMatchObject({ sha256: testImageSha, split: 'val' });
  });
});
