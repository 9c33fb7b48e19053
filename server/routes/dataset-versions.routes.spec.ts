import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApi,
  seedVersion,
  sha256Of,
  testImage,
  testImageSha,
  testManifest,
  tinyPng,
  type TestApi,
} from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

describe('dataset versions', () => {
  it('keeps a label that crosses the image edge exactly as given', async () => {
    const boxes = [
      { classIndex: 0, x: 0.9000005, y: -5e-7, w: 0.1, h: 0.25 },
      { classIndex: 0, x: -0.04, y: 0.6, w: 0.2, h: 0.45 },
    ];
    const version = await seedVersion(t, testManifest(boxes));
    const stored = await (await t.user(`/api/dataset-versions/${version.id}/manifest`)).json();
    expect(stored.images[0].boxes).toEqual(boxes);
  });

  it('refuses a label outside the image and a manifest whose images are not uploaded', async () => {
    await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
    const outside = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: testManifest([{ classIndex: 0, x: 1.8, y: 0.1, w: 0.5, h: 0.5 }]),
    });
    expect(outside.status).toBe(400);
    expect((await outside.json()).error.message).toMatch(/more than an image past the edge/);
    const badClass = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: testManifest([{ classIndex: 3, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }]),
    });
    expect((await badClass.json()).error.message).toMatch(/class 3 does not exist/);

    const other = tinyPng(9);
    const missing = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: {
        ...testManifest(),
        images: [{ ...testManifest().images[0], sha256: sha256Of(other) }],
      },
    });
    expect(missing.status).toBe(409);
    expect((await missing.json()).error.details.missing).toEqual([sha256Of(other)]);
    expect(await (await t.user('/api/dataset-versions')).json()).toEqual([]);
  });

  it('keeps polygons and image classes in the sealed manifest', async () => {
    const polygon = {
      classIndex: 0,
      points: [
        [0.1, 0.1],
        [0.9, 0.2],
        [0.5, 0.8],
      ] as [number, number][],
    };
    const manifest = testManifest();
    const image = { ...manifest.images[0]!, polygons: [polygon], imageClass: 0 };
    const version = await seedVersion(t, { ...manifest, task: 'segment', images: [image] });
    const stored = await (await t.user(`/api/dataset-versions/${version.id}/manifest`)).json();
    expect(stored.task).toBe('segment');
    expect(stored.images[0]).toMatchObject({ polygons: [polygon], imageClass: 0 });
    const outside = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: {
        ...manifest,
        images: [
          {
            ...image,
            polygons: [
              {
                classIndex: 0,
                points: [
                  [0, 0],
                  [2.5, 0],
                  [0, 1],
                ],
              },
            ],
          },
        ],
      },
    });
    expect((await outside.json()).error.message).toMatch(
      /polygon vertex lies more than an image outside it/,
    );
  });
});

describe('listing, diffing, merging and deriving versions', () => {
  const box = (classIndex: number) => ({ classIndex, x: 0.1, y: 0.1, w: 0.5, h: 0.5 });

  it('lists newest first and diffs two versions by class name', async () => {
    const a = await seedVersion(t, { ...testManifest([box(0)]), classes: ['card', 'back'] });
    t.clock.advance(60);
    const b = await seedVersion(t, {
      ...testManifest([box(0), box(0)]),
      classes: ['card', 'back'],
    });
    const list = (await (await t.user('/api/dataset-versions')).json()) as { id: string }[];
    expect(list.map((v) => v.id)).toEqual([b.id, a.id]);
    const diff = await (await t.user(`/api/dataset-versions/${a.id}/diff/${b.id}`)).json();
    expect(diff.labelsChanged).toEqual([{ sha256: testImageSha, fileName: 'a.png' }]);
    expect(diff.classes[0]).toMatchObject({ name: 'card', from: 1, to: 2, inChanged: 1 });
    const unknown = await t.user(`/api/dataset-versions/${a.id}/diff/${'0'.repeat(64)}`);
    expect(unknown.status).toBe(404);
  });

  it('merges versions with a class map and derives a set by rule, each sealed', async () => {
    const a = await seedVersion(t, {
      ...testManifest([box(0), box(1)]),
      classes: ['card', 'junk'],
    });
    const other = tinyPng(3);
    await t.user(`/api/blobs/${sha256Of(other)}`, { method: 'PUT', body: other });
    const b = await seedVersion(t, {
      name: 'b',
      classes: ['Card'],
      images: [
        { sha256: sha256Of(other), fileName: 'b.png', width: 2, height: 2, boxes: [box(0)] },
      ],
    });
    const merged = await t.user('/api/dataset-versions/merge', {
      method: 'POST',
      json: {
        name: 'all cards',
        sources: [
          { versionId: a.id, classMap: { junk: null } },
          { versionId: b.id, classMap: { Card: 'card' } },
        ],
      },
    });
    expect(merged.status).toBe(201);
    const version = await merged.json();
    expect(version).toMatchObject({
      name: 'all cards',
      classes: ['card'],
      imageCount: 2,
      boxCount: 2,
    });
    const derived = await t.user('/api/dataset-versions/derive', {
      method: 'POST',
      json: { versionId: a.id, rule: { kind: 'top-k', k: 1 }, unlabeled: 'drop' },
    });
    expect(await derived.json()).toMatchObject({ classes: ['card'], boxCount: 1 });
    const bad = await t.user('/api/dataset-versions/merge', {
      method: 'POST',
      json: { name: 'x', sources: [{ versionId: a.id, classMap: { nope: 'card' } }] },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/does not have: nope/);
  });

  it('merges classes named like Object.prototype members as the names they are', async () => {
    // Looked up on plain objects, "constructor" answered a function and the merge refused it.
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const a = await seedVersion(t, {
      ...testManifest([box(0), box(1), box(2), box(3)]),
      name: 'prototype names',
      classes: names,
    });
    const merged = await t.user('/api/dataset-versions/merge', {
      method: 'POST',
      json: {
        name: 'renamed',
        sources: [{ versionId: a.id, classMap: { constructor: 'maker', toString: null } }],
      },
    });
    expect(merged.status).toBe(201);
    expect(await merged.json()).toMatchObject({
      classes: ['__proto__', 'maker', 'hasOwnProperty'],
      boxCount: 3,
    });
    const kept = await t.user('/api/dataset-versions/merge', {
      method: 'POST',
      json: { name: 'as they are', sources: [{ versionId: a.id }] },
    });
    expect(await kept.json()).toMatchObject({ classes: names, boxCount: 4 });
  });
});
