/**
 * "A predict request returns boxes equal to the in-browser result for the same model and image."
 * Tiny real models (the inference fixtures: yolo11n detect, -seg, -cls exported by Ultralytics)
 * are registered on a real server through the runner protocol; the built inference worker runs
 * each in Chromium (onnxruntime-web, wasm) on the same image bytes that are POSTed to
 * /api/models/:id/predict (onnxruntime-node, sharp). Same detections, classes and order, corners
 * within 1 px, confidences within 0.01; also for a photo with an EXIF orientation and a PNG.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../server/contract';
import { readEnv } from '../../server/env';
import { fixtureImages, registerFixtureModel } from '../../server/prediction/fixture-model';
import { startServer } from '../../server/server';
import type { ClassScore, Detection, Segment } from '../../web/lib/inference/types';
import {
  inferenceFixture,
  loadInPage,
  openHarness,
  runInPage,
  type HarnessPage,
} from '../fixtures/inference-harness';

type Task = 'detect' | 'segment' | 'classify';
const TASKS: Task[] = ['detect', 'segment', 'classify'];
const dirs = Object.fromEntries(TASKS.map((t) => [t, inferenceFixture(t)])) as Record<Task, string>;
/** Extra images both sides get: an EXIF-rotated JPEG and a PNG. */
const extraDir = mkdtempSync(join(tmpdir(), 'loupe-predict-extra-'));
const EXTRA = ['rotated.jpg', 'card.png'];

let h: HarnessPage;
let server: Awaited<ReturnType<typeof startServer>>;
const dataDir = mkdtempSync(join(tmpdir(), 'loupe-predict-e2e-'));
const ids = {} as Record<Task, string>;
/** The rotated photo's source size: EXIF orientation 6 turns it a quarter. */
let sourceSize = { width: 0, height: 0 };

beforeAll(async () => {
  const source = join(dirs.detect, 'images', fixtureImages(dirs.detect)[1]!.file);
  const meta = await sharp(source).metadata();
  sourceSize = { width: meta.width, height: meta.height };
  const rotated = await sharp(source).jpeg({ quality: 92 }).withMetadata({ orientation: 6 });
  writeFileSync(join(extraDir, 'rotated.jpg'), await rotated.toBuffer());
  writeFileSync(join(extraDir, 'card.png'), await sharp(source).png().toBuffer());

  server = await startServer(
    readEnv({
      LOUPE_PORT: '0',
      LOUPE_DATA_DIR: dataDir,
      LOUPE_RUNNER: 'off',
      LOUPE_WEB_DIR: resolve('build'),
    }),
  );
  const { userToken, runnerToken } = server.tokens;
  for (const task of TASKS) {
    ids[task] = await registerFixtureModel((role, path, init = {}) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${role === 'user' ? userToken : runnerToken}`,
        ...init.headers,
      };
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
      return fetch(server.url + path, { method: init.method, headers, body });
    }, dirs[task]);
  }
  h = await openHarness({ ...dirs, extra: extraDir });
});
afterAll(async () => {
  console.log(`predict parity: worst corner ${worst.corner} px, confidence ${worst.confidence}`);
  await h?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(extraDir, { recursive: true, force: true });
});

async function predict(task: Task, path: string, query: string): Promise<Prediction> {
  const bytes = readFileSync(path);
  const res = await fetch(`${server.url}/api/models/${ids[task]}/predict?${query}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.tokens.userToken}`,
      'content-type': path.endsWith('.png') ? 'image/png' : 'image/jpeg',
    },
    body: bytes,
  });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Prediction;
}

/** The browser's and the server's answers for every image of the task's fixture and the extras. */
async function bothSides<T>(task: Task, options: Record<string, number>) {
  const loaded = await loadInPage(h, task);
  expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
  const files = fixtureImages(dirs[task]).map((i) => `images/${i.file}`);
  const browser = [
    ...(await runInPage<T>(h, task, files, options)),
    ...(await runInPage<T>(h, 'extra', EXTRA, options)),
  ];
  const query = new URLSearchParams(Object.entries(options).map(([k, v]) => [k, String(v)]));
  const paths = [...files.map((f) => join(dirs[task], f)), ...EXTRA.map((f) => join(extraDir, f))];
  const served = await Promise.all(paths.map((p) => predict(task, p, query.toString())));
  return paths.map((path, i) => {
    const reply = browser[i]!;
    if (!reply.ok) throw new Error(`${path} in the browser: ${reply.error.message}`);
    return { path, browser: reply.value, server: served[i]! };
  });
}

/** The largest differences seen, printed for the README's "last measured". */
const worst = { corner: 0, confidence: 0 };

/** Server boxes (normalised) against the browser's (pixels): same order, classes, 1 px, 0.01. */
function expectSameBoxes(p: Prediction, ours: Detection[], what: string) {
  expect(
    p.boxes.map((b) => b.classIndex),
    what,
  ).toEqual(ours.map((d) => d.classIndex));
  ours.forEach((d, i) => {
    const b = p.boxes[i]!;
    const corners = [b.x * p.width, b.y * p.height, (b.x + b.w) * p.width, (b.y + b.h) * p.height];
    const want = [d.x, d.y, d.x + d.w, d.y + d.h];
    corners.forEach((v, k) => {
      worst.corner = Math.max(worst.corner, Math.abs(v - want[k]!));
      expect(Math.abs(v - want[k]!), `${what} #${i}`).toBeLessThan(1);
    });
    worst.confidence = Math.max(worst.confidence, Math.abs(b.confidence - d.confidence));
    expect(Math.abs(b.confidence - d.confidence), `${what} #${i}`).toBeLessThan(0.01);
    expect(b.className).toBe(d.className);
  });
}

type BrowserDetect = { detections: Detection[]; imageWidth: number; imageHeight: number };

describe('predict over HTTP equals the in-browser worker', () => {
  it.each([0.25, 0.01])('detect at conf %s', async (conf) => {
    const results = await bothSides<BrowserDetect>('detect', { conf });
    let boxes = 0;
    for (const { path, browser, server } of results) {
      expect([server.width, server.height], path).toEqual([
        browser.imageWidth,
        browser.imageHeight,
      ]);
      expectSameBoxes(server, browser.detections, path);
      boxes += browser.detections.length;
    }
    expect(boxes).toBeGreaterThan(0);
    // The EXIF-rotated photo is seen turned a quarter (as its orientation says) by both.
    const rotated = results.find((r) => r.path.endsWith('rotated.jpg'))!.server;
    expect([rotated.width, rotated.height]).toEqual([sourceSize.height, sourceSize.width]);
  });

  it('segment: the same instances and outlines', async () => {
    type BrowserSegment = { detections: Segment[] };
    let instances = 0;
    for (const { path, browser, server } of await bothSides<BrowserSegment>('segment', {
      conf: 0.25,
    })) {
      expectSameBoxes(server, browser.detections, path);
      browser.detections.forEach((d, i) => {
        const polygon = server.polygons[i]!;
        expect(polygon.points.length, `${path} #${i}`).toBe(d.polygon.points.length);
        polygon.points.forEach(([x, y], k) => {
          const [bx, by] = d.polygon.points[k]!;
          expect(Math.abs(x - bx) * server.width).toBeLessThan(1);
          expect(Math.abs(y - by) * server.height).toBeLessThan(1);
        });
      });
      instances += browser.detections.length;
    }
    expect(instances).toBeGreaterThan(0);
  });

  it('classify: the same top-5 and probabilities', async () => {
    for (const { path, browser, server } of await bothSides<{ top: ClassScore[] }>('classify', {
      topK: 5,
    })) {
      expect(
        server.classes.map((c) => c.classIndex),
        path,
      ).toEqual(browser.top.map((c) => c.classIndex));
      browser.top.forEach((c, i) =>
        expect(Math.abs(server.classes[i]!.confidence - c.confidence)).toBeLessThan(0.01),
      );
      expect(server.imageClass).toBe(browser.top[0]!.classIndex);
    }
  });
});
