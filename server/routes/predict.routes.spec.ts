/**
 * POST /api/models/:id/predict with real tiny exported models (the inference fixtures, trained
 * once by test/fixtures/make_inference_fixtures.py and cached) on real onnxruntime-node and a
 * real image decoder: answers compared with Ultralytics' own predictions, and every bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, Health, Prediction, PredictionBatch } from '../contract';
import { MAX_PREDICT_BATCH } from '../contract';
import { fixtureImages, registerFixtureModel } from '../prediction/fixture-model';
import { createTestApi, type TestApi } from '../testing/test-server';
import { version } from '../../package.json';
import { inferenceFixture } from '../../test/fixtures/inference-harness';

const MAX_PREDICT_BYTES = 200_000;
const dirs = {
  detect: inferenceFixture('detect'),
  segment: inferenceFixture('segment'),
  classify: inferenceFixture('classify'),
};
type Reference = {
  images: {
    file: string;
    top5?: number[];
    probs?: number[];
    predictions?: Record<string, { classIndex: number; confidence: number; xyxy: number[] }[]>;
  }[];
};
const reference = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
const image = (dir: string, file: string) => readFileSync(join(dir, 'images', file));

let t: TestApi;
const ids = { detect: '', segment: '', classify: '' };

beforeAll(async () => {
  t = await createTestApi(60, [], {
    maxBlobBytes: 64 * 1024 * 1024,
    maxPredictBytes: MAX_PREDICT_BYTES,
  });
  for (const task of ['detect', 'segment', 'classify'] as const) {
    ids[task] = await registerFixtureModel(
      async (role, path, init) => t[role](path, init),
      dirs[task],
    );
  }
}, 120_000);
afterAll(() => t?.close());

const predict = (id: string, body: BodyInit, type = 'image/jpeg', query = '') =>
  t.user(`/api/models/${id}/predict${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': type },
  });

const batchOf = (files: { name: string; bytes: Uint8Array; type?: string }[]) => {
  const form = new FormData();
  for (const f of files) {
    form.append(
      'image',
      new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'image/jpeg' }),
      f.name,
    );
  }
  return form;
};

const errorOf = async (res: Response) => ((await res.json()) as ApiError).error;

describe('predict', () => {
  it('answers detect boxes equal to Ultralytics predict on the same JPEGs', async () => {
    const ref = reference(dirs.detect);
    let compared = 0;
    for (const entry of ref.images) {
      const res = await predict(ids.detect, image(dirs.detect, entry.file));
      expect(res.status).toBe(200);
      const p = (await res.json()) as Prediction;
      expect(p).toMatchObject({ task: 'detect', modelId: ids.detect, polygons: [] });
      const theirs = entry.predictions!['0.25']!;
      expect(p.boxes.map((b) => b.classIndex)).toEqual(theirs.map((b) => b.classIndex));
      theirs.forEach((want, i) => {
        const got = p.boxes[i]!;
        const corners = [
          got.x * p.width,
          got.y * p.height,
          (got.x + got.w) * p.width,
          (got.y + got.h) * p.height,
        ];
        corners.forEach((v, k) => expect(Math.abs(v - want.xyxy[k]!)).toBeLessThan(1));
        expect(Math.abs(got.confidence - want.confidence)).toBeLessThan(0.01);
        expect(got.className).toBe(['card', 'back'][want.classIndex]);
        compared++;
      });
      for (const stage of ['decodeMs', 'preMs', 'inferenceMs', 'postMs'] as const) {
        expect(p.timings[stage]).toBeGreaterThanOrEqual(0);
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('applies conf, iou and maxDet as the browser does', async () => {
    const file = reference(dirs.detect).images[0]!;
    const low = (await (
      await predict(ids.detect, image(dirs.detect, file.file), 'image/jpeg', '?conf=0.01')
    ).json()) as Prediction;
    expect(low.boxes.length).toBe(file.predictions!['0.01']!.length);
    const one = (await (
      await predict(ids.detect, image(dirs.detect, file.file), 'image/jpeg', '?conf=0.01&maxDet=1')
    ).json()) as Prediction;
    expect(one.boxes).toEqual([low.boxes[0]]);
    const bad = await predict(ids.detect, image(dirs.detect, file.file), 'image/jpeg', '?iou=2');
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/iou/);
  });

  it('answers a multipart batch in order, each as the single request does', async () => {
    const files = fixtureImages(dirs.detect).slice(0, 3);
    const res = await t.user(`/api/models/${ids.detect}/predict`, {
      method: 'POST',
      body: batchOf(files.map((f) => ({ name: f.file, bytes: image(dirs.detect, f.file) }))),
    });
    expect(res.status).toBe(200);
    const { predictions } = (await res.json()) as PredictionBatch;
    expect(predictions).toHaveLength(3);
    for (const [i, f] of files.entries()) {
      const single = (await (
        await predict(ids.detect, image(dirs.detect, f.file))
      ).json()) as Prediction;
      expect(predictions[i]!.boxes).toEqual(single.boxes);
    }
  });

  it('answers segment instances as polygons with their boxes', async () => {
    const ref = reference(dirs.segment);
    let instances = 0;
    for (const entry of ref.images) {
      const p = (await (
        await predict(ids.segment, image(dirs.segment, entry.file))
      ).json()) as Prediction;
      expect(p.task).toBe('segment');
      const theirs = entry.predictions!['0.25']!;
      expect(p.polygons.map((s) => s.classIndex)).toEqual(theirs.map((s) => s.classIndex));
      expect(p.boxes).toHaveLength(p.polygons.length);
      for (const polygon of p.polygons) {
        expect(polygon.points.length).toBeGreaterThanOrEqual(3);
        for (const v of polygon.points.flat()) expect(v >= 0 && v <= 1).toBe(true);
      }
      instances += p.polygons.length;
    }
    expect(instances).toBeGreaterThan(0);
  });

  it('answers classify top-k as Ultralytics does, and the best class as imageClass', async () => {
    for (const entry of reference(dirs.classify).images) {
      const p = (await (
        await predict(ids.classify, image(dirs.classify, entry.file), 'image/jpeg', '?topK=2')
      ).json()) as Prediction;
      expect(p.classes.map((c) => c.classIndex)).toEqual(entry.top5!.slice(0, 2));
      expect(p.imageClass).toBe(entry.top5![0]);
      expect(Math.abs(p.classes[0]!.confidence - entry.probs![entry.top5![0]!]!)).toBeLessThan(
        0.01,
      );
    }
  });
});

describe('predict refuses bad input and stays up', () => {
  // The photo on which Ultralytics found the most boxes at conf 0.25: every fixture model (each
  // machine trains its own) finds something on it, where the first photo may hold nothing.
  const busiest = () =>
    reference(dirs.detect).images.reduce((best, i) =>
      (i.predictions?.['0.25']?.length ?? 0) > (best.predictions?.['0.25']?.length ?? 0) ? i : best,
    );
  const jpeg = () => image(dirs.detect, busiest().file);

  it('404s an unknown model before reading the image', async () => {
    const res = await predict('00000000-0000-4000-8000-000000000000', jpeg());
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/model version/);
  });

  it('415s a body that is not an image, and a content type it does not take', async () => {
    const text = await predict(ids.detect, 'hello, not a photo');
    expect(text.status).toBe(415);
    expect(await errorOf(text)).toMatchObject({ code: 'not_an_image' });
    const gif = await predict(ids.detect, jpeg(), 'image/gif');
    expect(gif.status).toBe(415);
    expect((await errorOf(gif)).message).toMatch(/image\/gif/);
  });

  it('400s a truncated and a corrupt JPEG, saying which', async () => {
    const whole = jpeg();
    const cut = await predict(ids.detect, whole.subarray(0, whole.length >> 1));
    expect(cut.status).toBe(400);
    expect(await errorOf(cut)).toMatchObject({ code: 'truncated_image' });
    const broken = Buffer.from(whole);
    for (let i = 400; i < broken.length - 10; i += 7) broken[i] = 0xff ^ broken[i]!;
    const res = await t.user(`/api/models/${ids.detect}/predict`, {
      method: 'POST',
      body: batchOf([
        { name: 'good.jpg', bytes: whole },
        { name: 'broken.jpg', bytes: broken },
      ]),
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('corrupt_image');
    expect(error.message).toMatch(/image 2 \("broken\.jpg"\)/);
  });

  it('413s an image over the limit and a batch with too many images', async () => {
    const big = new Uint8Array(MAX_PREDICT_BYTES + 1);
    big.set(jpeg().subarray(0, 1000));
    const res = await predict(ids.detect, big);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'image_too_large' });
    const many = Array.from({ length: MAX_PREDICT_BATCH + 1 }, (_, i) => ({
      name: `${i}.jpg`,
      bytes: jpeg(),
    }));
    const batch = await t.user(`/api/models/${ids.detect}/predict`, {
      method: 'POST',
      body: batchOf(many),
    });
    expect(batch.status).toBe(413);
    expect(await errorOf(batch)).toMatchObject({ code: 'too_many_images' });
  });

  it('still predicts after all of that', async () => {
    const res = await predict(ids.detect, jpeg());
    expect(res.status).toBe(200);
    const theirs = busiest().predictions!['0.25']!.length;
    expect(theirs).toBeGreaterThan(0);
    expect(((await res.json()) as Prediction).boxes.length).toBe(theirs);
  });
});

describe('GET /api/health', () => {
  it('says ok, the version, the uptime and that predict is available, with no token', async () => {
    const first = (await (await t.api.request('/api/health')).json()) as Health;
    expect(first).toMatchObject({ ok: true, version, predict: { available: true } });
    t.clock.advance(90);
    const later = (await (await t.api.request('/api/health')).json()) as Health;
    expect(later.uptimeSeconds - first.uptimeSeconds).toBe(90);
  });
});
