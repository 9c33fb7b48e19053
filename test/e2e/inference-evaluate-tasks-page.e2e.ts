/**
 * The model page's Evaluate for segment and classify models, in Chromium on a phone's viewport:
 * the fixture's validation pictures imported as a user would (a YOLO segment zip, an ImageFolder
 * zip), the model loaded from the registry's answers (routed to the fixture export), Evaluate run
 * in batch. The page shows box and mask metrics (segment) or top-1 / top-5 (classify), each within
 * 0.005 of Ultralytics' model.val of the same ONNX on the same pictures, beside the runner's
 * numbers, and nothing widens the page past the phone's screen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeDataYaml } from '../../web/lib/formats/data-yaml';
import { plural } from '../../web/lib/text/wording';
import {
  fixtureModelVersion,
  startPwaServer,
  valReference,
  type FixtureTask,
} from '../fixtures/inference-harness';
import { launchChromium, PHONE } from './browser';

interface ValLabels {
  classes: string[];
  images: {
    file: string;
    boxes: { classIndex: number }[];
    polygons: { classIndex: number; points: [number, number][] }[];
  }[];
}
type Metrics = Record<'precision' | 'recall' | 'map50' | 'map', number>;

let server: Awaited<ReturnType<typeof startPwaServer>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startPwaServer('evaluate-tasks-e2e');
  browser = await launchChromium();
});
// Each test on a fresh phone (its own IndexedDB), so Evaluate offers only the dataset it imported.
beforeEach(async () => {
  page = await (await browser.newContext(PHONE)).newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});
afterEach(async () => {
  await page?.context().close();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Imports `files` as a zip on the home page and waits for every picture. */
async function importZip(files: Zippable, count: number) {
  await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
  await page.getByTestId('import-dataset').setInputFiles({
    name: 'val-cards.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from(zipSync(files)),
  });
  await expect
    .poll(() => page.getByTestId('import-result').textContent(), { timeout: 60_000 })
    .toContain(plural(count, 'image'));
}

/** Serves `task`'s fixture model with the runner's `metrics`, loads it, runs Evaluate. */
async function evaluateOnPage(task: FixtureTask, metrics: Record<string, number>) {
  const { onnx, model } = fixtureModelVersion(task, metrics);
  await page.route(`${server.url}/api/models/${model.id}`, (route) =>
    route.fulfill({ json: model }),
  );
  await page.route(`${server.url}/api/models/${model.id}/model.onnx`, (route) =>
    route.fulfill({ body: onnx, contentType: 'application/octet-stream' }),
  );
  await page.goto(`${server.url}/models/${model.id}?token=${server.tokens.userToken}`);
  await page.getByRole('button', { name: 'Download and load' }).click();
  await page.getByTestId('model-backend').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Evaluate …' }).click();
  await page.getByTestId('evaluate-start').click();
  const result = page.getByTestId('evaluate-result');
  await result.waitFor({ timeout: 180_000 });
  return async (key: string) =>
    (await result.locator(`tr[data-key="${key}"] td`).allTextContents()).map(Number);
}

/** Each shown number within 0.005 of model.val's, the runner's column as given. */
async function expectRows(
  cells: (key: string) => Promise<number[]>,
  rows: [string, number][],
  label: string,
) {
  const report: string[] = [];
  for (const [key, want] of rows) {
    const [ours, runner] = await cells(key);
    report.push(`${key} ${ours} vs ${want.toFixed(4)}`);
    expect(Math.abs(ours! - want), key).toBeLessThanOrEqual(0.005);
    expect(runner).toBeCloseTo(want, 4);
  }
  console.log(`${label}: ${report.join('; ')}`);
  // Readable on the phone: the page itself never scrolls sideways.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

describe('Evaluate on the model page, segment and classify, on a phone', () => {
  it('a segment model shows box and mask metrics equal to model.val', async () => {
    const { dir } = fixtureModelVersion('segment');
    const labels = JSON.parse(readFileSync(join(dir, 'val-labels.json'), 'utf8')) as ValLabels;
    const reference = valReference<{ box: Metrics; mask: Metrics }>(dir);
    const files: Zippable = {
      'data.yaml': strToU8(writeDataYaml(labels.classes, { train: 'images/train' })),
    };
    for (const image of labels.images) {
      files[`images/train/${image.file}`] = readFileSync(join(dir, 'val-images', image.file));
      files[`labels/train/${image.file.replace(/\.jpg$/, '.txt')}`] = strToU8(
        image.polygons.map((p) => [p.classIndex, ...p.points.flat()].join(' ')).join('\n'),
      );
    }
    await importZip(files, labels.images.length);
    const names = ['precision', 'recall', 'mAP50', 'mAP50-95'] as const;
    const keys = ['precision', 'recall', 'map50', 'map'] as const;
    const runner: Record<string, number> = {};
    names.forEach((n, i) => {
      runner[`metrics/${n}(B)`] = reference.box[keys[i]!];
      runner[`metrics/${n}(M)`] = reference.mask[keys[i]!];
    });
    const cells = await evaluateOnPage('segment', runner);
    await expectRows(
      cells,
      names.flatMap((n, i) => [
        [`box ${n}`, reference.box[keys[i]!]] as [string, number],
        [`mask ${n}`, reference.mask[keys[i]!]] as [string, number],
      ]),
      'segment evaluate page',
    );
    const perClass = page.getByTestId('evaluate-per-class');
    expect(await perClass.locator('th', { hasText: 'mask mAP50-95' }).count()).toBe(1);
  });

  it('a classify model shows top-1 and top-5 equal to model.val', async () => {
    const { dir } = fixtureModelVersion('classify');
    const labels = JSON.parse(readFileSync(join(dir, 'val-labels.json'), 'utf8')) as ValLabels;
    const reference = valReference<{ top1: number; top5: number }>(dir);
    const files: Zippable = {};
    for (const image of labels.images) {
      const name = labels.classes[image.boxes[0]!.classIndex]!;
      files[`train/${name}/${image.file}`] = readFileSync(join(dir, 'val-images', image.file));
    }
    await importZip(files, labels.images.length);
    const cells = await evaluateOnPage('classify', {
      'metrics/accuracy_top1': reference.top1,
      'metrics/accuracy_top5': reference.top5,
    });
    await expectRows(
      cells,
      [
        ['top-1 accuracy', reference.top1],
        ['top-5 accuracy', reference.top5],
      ],
      'classify evaluate page',
    );
  });
});
