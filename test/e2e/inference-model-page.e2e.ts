/**
 * The model page in Chromium, on the built PWA and the real server, with the registry's answers
 * for one version routed to a fixture model (a real Ultralytics export, no training here):
 * - "Download and load" picks WASM and says why: this headless Chromium has no WebGPU adapter;
 * - a photo shows detect boxes, segment mask outlines, or a classify top-5, by the model's task;
 * - "Evaluate" runs the model over a labeled dataset imported into IndexedDB (YOLO zip of the
 *   fixture's validation images) in batch, and its mAP equals Ultralytics' model.val on the same
 *   images within 0.005, shown next to the runner's numbers; photos the model's job trained on
 *   are skipped and the result says what it scored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../server/contract/model';
import { writeDataYaml } from '../../web/lib/formats/data-yaml';
import {
  fixtureModelVersion,
  startPwaServer,
  type FixtureTask,
} from '../fixtures/inference-harness';
import { launchChromium, PHONE } from './browser';
import { plural } from '../../web/lib/text/wording';

interface ValLabels {
  classes: string[];
  images: {
    file: string;
    boxes: { classIndex: number; x: number; y: number; w: number; h: number }[];
  }[];
}

let server: Awaited<ReturnType<typeof startPwaServer>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startPwaServer('model-page-e2e');
  browser = await launchChromium();
  page = await (await browser.newContext(PHONE)).newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Answers the registry's version and file requests for `task`'s fixture model. */
async function serveFixture(task: FixtureTask, metrics: Record<string, number> = {}) {
  const { dir, onnx, model } = fixtureModelVersion(task, metrics);
  await page.route(`${server.url}/api/models/${model.id}`, (route) =>
    route.fulfill({ json: model }),
  );
  await page.route(`${server.url}/api/models/${model.id}/model.onnx`, (route) =>
    route.fulfill({ body: onnx, contentType: 'application/octet-stream' }),
  );
  return { dir, model };
}

async function openAndLoad(model: ModelVersion) {
  await page.goto(`${server.url}/models/${model.id}?token=${server.tokens.userToken}`);
  await page.getByRole('button', { name: 'Download and load' }).click();
  const backend = page.getByTestId('model-backend');
  await backend.waitFor({ timeout: 60_000 });
  return (await backend.textContent())?.trim() ?? '';
}

/** A picture Ultralytics found something in at conf 0.25 (the fixture's pictures vary in size). */
function photo(dir: string) {
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
    images: { file: string; predictions: Record<string, unknown[]> }[];
  };
  const file = reference.images.find((i) => (i.predictions['0.25'] ?? []).length > 0)!.file;
  return { name: file, mimeType: 'image/jpeg', buffer: readFileSync(join(dir, 'images', file)) };
}

describe('the model page, in Chromium', () => {
  it('runs on WASM and says WebGPU is not available; draws detect boxes', async () => {
    const { dir, model } = await serveFixture('detect');
    expect(await openAndLoad(model)).toBe('Loaded · runs on WASM (WebGPU not available)');
    await page.getByTestId('conf').fill('0.25');
    await page.getByTestId('detect-image').setInputFiles(photo(dir));
    await expect.poll(() => page.getByTestId('detection').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('mask-polygon').count()).toBe(0);
    const found = await page.getByTestId('detection').count();
    const runs = () => page.getByTestId('detection-summary').getAttribute('data-runs');
    expect(await runs()).toBe('1');

    // A new Confidence runs the shown photo again: none of its boxes is that sure.
    await page.getByTestId('conf').fill('0.999');
    await page.getByTestId('conf').press('Tab');
    await expect.poll(runs).toBe('2');
    expect(await page.getByTestId('detection').count()).toBe(0);
    await page.getByTestId('conf').fill('0.25');
    await page.getByTestId('conf').press('Tab');
    await expect.poll(runs).toBe('3');
    expect(await page.getByTestId('detection').count()).toBe(found);
    // The file input is cleared after each choice, so choosing the same photo again is a change.
    expect(
      await page.getByTestId('detect-image').evaluate((i) => (i as HTMLInputElement).value),
    ).toBe('');
  });

  it('draws segment masks as polygons', async () => {
    const { dir, model } = await serveFixture('segment');
    await openAndLoad(model);
    await page.getByTestId('detect-image').setInputFiles(photo(dir));
    await expect.poll(() => page.getByTestId('detection').count()).toBeGreaterThan(0);
    const polygons = page.getByTestId('mask-polygon');
    expect(await polygons.count()).toBe(await page.getByTestId('detection').count());
    const points = (await polygons.first().getAttribute('points')) ?? '';
    expect(points.split(' ').length).toBeGreaterThanOrEqual(3);
  });

  it('lists a classify model’s top 5', async () => {
    const { dir, model } = await serveFixture('classify');
    await openAndLoad(model);
    const file = JSON.parse(readFileSync(join(dir, 'val-labels.json'), 'utf8')) as ValLabels;
    const name = file.images[0]!.file;
    const buffer = readFileSync(join(dir, 'val-images', name));
    await page.getByTestId('detect-image').setInputFiles({ name, mimeType: 'image/jpeg', buffer });
    const top = page.getByTestId('classify-top').locator('li');
    await expect.poll(() => top.count()).toBe(Math.min(5, model.classNames.length));
  });

  it("evaluates over a local dataset in batch and equals the runner's model.val", async () => {
    const { dir } = await serveFixture('detect');
    const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
      val: { precision: number; recall: number; map50: number; map: number };
    };
    const labels = JSON.parse(readFileSync(join(dir, 'val-labels.json'), 'utf8')) as ValLabels;
    // The fixture's validation set as a YOLO zip, imported like a user would.
    const files: Zippable = {
      'data.yaml': strToU8(writeDataYaml(labels.classes, { train: 'images/train' })),
    };
    for (const image of labels.images) {
      const stem = image.file.replace(/\.jpg$/, '');
      files[`images/train/${image.file}`] = readFileSync(join(dir, 'val-images', image.file));
      files[`labels/train/${stem}.txt`] = strToU8(
        image.boxes
          .map((b) => [b.classIndex, b.x + b.w / 2, b.y + b.h / 2, b.w, b.h].join(' '))
          .join('\n'),
      );
    }
    await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
    await page.getByTestId('import-dataset').setInputFiles({
      name: 'val-cards.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zipSync(files)),
    });
    await expect
      .poll(() => page.getByTestId('import-result').textContent(), { timeout: 60_000 })
      .toContain(`${plural(labels.images.length, 'image')}`);

    // The runner's numbers for this model: what model.val printed for the fixture.
    const { model } = await serveFixture('detect', {
      'metrics/precision(B)': reference.val.precision,
      'metrics/recall(B)': reference.val.recall,
      'metrics/mAP50(B)': reference.val.map50,
      'metrics/mAP50-95(B)': reference.val.map,
    });
    await openAndLoad(model);
    await page.getByRole('button', { name: 'Evaluate …' }).click();
    await page.getByTestId('evaluate-start').click();
    const result = page.getByTestId('evaluate-result');
    await result.waitFor({ timeout: 120_000 });
    const cells = async (key: string) =>
      (await result.locator(`tr[data-key="${key}"] td`).allTextContents()).map(Number);
    const report: string[] = [];
    for (const [key, want] of [
      ['precision', reference.val.precision],
      ['recall', reference.val.recall],
      ['mAP50', reference.val.map50],
      ['mAP50-95', reference.val.map],
    ] as const) {
      const [ours, runner] = await cells(key);
      report.push(`${key} ${ours} vs ${want.toFixed(4)}`);
      expect(Math.abs(ours! - want), key).toBeLessThanOrEqual(0.005);
      expect(runner).toBeCloseTo(want, 4);
    }
    console.log(`model page evaluation: ${report.join('; ')}`);
    expect(await page.getByTestId('evaluate-per-class').locator('tbody tr').count()).toBe(
      new Set(labels.images.flatMap((i) => i.boxes.map((b) => b.classIndex))).size,
    );
    // Its job's split is not known here (the job is not on this server): it says so.
    expect(await page.getByTestId('evaluate-scope').textContent()).toMatch(/not known/);

    // With the job's split known, the photo it trained on is skipped, and the result says so.
    const [trained, validated] = labels.images.map((image) =>
      createHash('sha256')
        .update(readFileSync(join(dir, 'val-images', image.file)))
        .digest('hex'),
    );
    const photoOf = (sha256: string, split: string) => ({
      sha256,
      fileName: 'x.jpg',
      split,
      pinned: false,
    });
    await page.route(`${server.url}/api/jobs/${model.jobId}/split`, (route) =>
      route.fulfill({
        json: {
          jobId: model.jobId,
          datasetVersionId: model.metadata.datasetVersionId,
          seed: 0,
          photos: [photoOf(trained!, 'train'), photoOf(validated!, 'val')],
        },
      }),
    );
    await openAndLoad(model);
    await expect
      .poll(() => page.getByTestId('model-split').textContent())
      .toMatch(/1 photo trained, 1 validated/);
    await page.getByRole('button', { name: 'Evaluate …' }).click();
    await page.getByTestId('evaluate-start').click();
    await expect
      .poll(
        async () =>
          (await page.getByTestId('evaluate-scope').textContent())?.replace(/\s+/g, ' ').trim(),
        { timeout: 120_000 },
      )
      .toBe(
        `${labels.images.length - 1} photos scored (1 of its validation photos, ` +
          `${labels.images.length - 2} it never saw); 1 photo it trained on skipped. ` +
          "The runner's validation used 1 photo of its dataset version.",
      );
  });
});
