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
  it('refuses a label outside the image and a manifest whose images are not uploaded', async () => {
    await t.user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
    const outside = await t.user('/api/dataset-versions', {
      method: 'POST',
      json: testManifest([{ classIndex: 0, x: 0.8, y: 0.1, w: 0.5, h: 0.5 }]),
    });
    expect(outside.status).toBe(400);
    expect((await outside.json()).error.message).toMatch(/outside the image/);
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
                  [1.5, 0],
                  [0, 1],
                ],
              },
            ],
          },
        ],
      },
    });
    expect((await outside.json()).error.message).toMatch(/polygon vertex lies outside the image/);
  });
});
