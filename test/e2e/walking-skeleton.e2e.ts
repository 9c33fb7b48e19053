import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DatasetVersion,
  EpochMetrics,
  Job,
  JobPage,
  ModelMetadata,
  ModelVersion,
} from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { generateCards, startLoupe, type FixtureImage } from './loupe-server';
import { plural } from '../../web/lib/text/wording';

/** Tiny CPU training: enough epochs to see the chart grow, small enough for CI's two cores. */
const EPOCHS = Number(process.env.LOUPE_E2E_EPOCHS ?? 3);
const IMGSZ = Number(process.env.LOUPE_E2E_IMGSZ ?? 96);
const IMAGES = 10;

let loupe: Awaited<ReturnType<typeof startLoupe>>;
let browser: Browser;
let page: Page;
const cards = generateCards(IMAGES, 11);

beforeAll(async () => {
  loupe = await startLoupe();
  browser = await launchChromium();
  page = await browser.newPage(PHONE);
  page.on('pageerror', (e) => console.error('page error:', e));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      console.error(`browser ${m.type()}:`, m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

/** Waits for a test id to appear; an error shown instead fails the test with its text. */
async function untilShown(testId: string) {
  const shown = page.locator(`[data-testid="${testId}"], [role="alert"]`).first();
  await shown.waitFor({ timeout: 120_000 });
  if ((await shown.getAttribute('role')) === 'alert') {
    throw new Error(`the page shows an error: ${await shown.textContent()}`);
  }
}

/** With LOUPE_E2E_SCREENSHOTS=dir, keeps what a person would have seen at each step. */
async function snap(name: string) {
  const dir = process.env.LOUPE_E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

const summary = () => page.getByTestId('dataset-summary');

/** Draws a fixture's boxes by dragging on the labeling surface, as a person would. */
async function drawBoxes(image: FixtureImage) {
  const surface = page.getByTestId('box-canvas');
  const rect = await surface.boundingBox();
  if (!rect) throw new Error('the labeling surface is not visible');
  for (const b of image.boxes) {
    const x0 = rect.x + b.x * rect.width;
    const y0 = rect.y + b.y * rect.height;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x0 + (b.w * rect.width) / 2, y0 + (b.h * rect.height) / 2, { steps: 3 });
    await page.mouse.move(x0 + b.w * rect.width, y0 + b.h * rect.height, { steps: 3 });
    await page.mouse.up();
  }
}

describe('walking skeleton: one photo from the browser to a trained model and back', () => {
  const expectedBoxes = cards.images.reduce((n, i) => n + i.boxes.length, 0);
  let jobId = '';

  it('creates a dataset, refuses a non-image, labels photos, and keeps them after a reload', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await expect.poll(() => new URL(page.url()).searchParams.get('token')).toBeNull();
    await page.getByLabel('Name').fill('Card fronts');
    await page.getByLabel('Classes (comma-separated)').fill('card');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/datasets\//);

    const notImage = join(cards.dir, 'notes.jpg');
    writeFileSync(notImage, 'this is a text file with an image name');
    await page
      .getByTestId('add-images')
      .setInputFiles([...cards.images.map((i) => cards.path(i.file)), notImage]);
    await expect.poll(() => summary().textContent()).toContain(`${plural(IMAGES, 'image')}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('notes.jpg');

    const thumbs = page.getByTestId('image-strip').getByRole('button');
    // Each photo right after the last one's boxes: no draw is lost by switching at once.
    for (const image of cards.images) {
      await thumbs.filter({ hasText: image.file.split('/').at(-1) ?? image.file }).click();
      await drawBoxes(image);
    }
    await expect
      .poll(() => summary().textContent())
      .toContain(`${plural(expectedBoxes, 'box', 'boxes')}`);

    await snap('1-labeled');
    // Edits show at once and are stored just after; reload once the page says they are stored.
    await expect
      .poll(() => page.getByTestId('save-state').textContent())
      .toContain('All changes saved');
    await page.reload();
    await expect
      .poll(() => summary().textContent())
      .toContain(`${plural(IMAGES, 'image')} · ${plural(expectedBoxes, 'box', 'boxes')}`);
  });

  it('syncs: the server seals a version with every image once and every box', async () => {
    await page.getByRole('button', { name: 'Sync' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Synced');
    const versions = await loupe.api<DatasetVersion[]>('/api/dataset-versions');
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      imageCount: IMAGES,
      boxCount: expectedBoxes,
      classes: ['card'],
    });
    // A second sync sends nothing: the server already has every image.
    await page.getByRole('button', { name: 'Sync' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('0 images uploaded');
  });

  it('trains for real and shows the metrics growing live', async () => {
    await page.getByLabel('Epochs').fill(String(EPOCHS));
    await page.getByLabel('Image size').fill(String(IMGSZ));
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForURL(/\/jobs\//);
    jobId = page.url().split('/jobs/')[1] ?? '';

    const seen = new Set<string>();
    for (;;) {
      const status = await page.getByTestId('job-status').textContent();
      seen.add((await page.getByTestId('epoch-count').textContent()) ?? '');
      if (status === 'completed' || status === 'failed') break;
      await page.waitForTimeout(500);
    }
    await snap('2-trained');
    const job = await loupe.api<Job>(`/api/jobs/${jobId}`);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    // The chart was seen part-way: it grew while training ran, not only at the end.
    expect([...seen].some((s) => /^[1-9]\d* epoch/.test(s) && !s.startsWith(`${EPOCHS} `))).toBe(
      true,
    );
    await expect
      .poll(() => page.getByTestId('metrics-chart').getAttribute('data-epochs'))
      .toBe(String(EPOCHS));

    const epochs = await loupe.api<EpochMetrics[]>(`/api/jobs/${jobId}/epochs`);
    expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    for (const e of epochs) {
      for (const key of [
        'train/box_loss',
        'val/box_loss',
        'metrics/mAP50(B)',
        'metrics/mAP50-95(B)',
      ]) {
        expect(Number.isFinite(e.metrics[key]), `${key} of epoch ${e.epoch}`).toBe(true);
      }
    }
    // Real training moves the loss; a stand-in would repeat itself.
    expect(new Set(epochs.map((e) => e.metrics['train/box_loss'])).size).toBeGreaterThan(1);
  });

  it('registers an ONNX model with its metadata', async () => {
    const job = await loupe.api<Job>(`/api/jobs/${jobId}`);
    const model = await loupe.api<ModelVersion>(`/api/models/${job.modelVersionId}`);
    const metadata = await loupe.api<ModelMetadata>(`/api/models/${model.id}/metadata.json`);
    expect(metadata).toMatchObject({
      task: 'detect',
      classNames: ['card'],
      imgsz: IMGSZ,
      inputShape: [1, 3, IMGSZ, IMGSZ],
      epochs: EPOCHS,
      jobId,
    });
    expect(metadata.outputShapes[0]?.slice(0, 2)).toEqual([1, 5]);
    const onnx = await fetch(`${loupe.url}/api/models/${model.id}/model.onnx`, {
      headers: { authorization: `Bearer ${loupe.tokens.userToken}` },
    });
    const bytes = new Uint8Array(await onnx.arrayBuffer());
    expect(bytes.length).toBe(model.onnxBytes);
    expect(Buffer.from(bytes).includes(Buffer.from(loupe.dataDir))).toBe(false);
  });

  it('downloads the model into the browser, runs it in a worker and draws its boxes', async () => {
    await page.getByTestId('model-link').click();
    await page.waitForURL(/\/models\//);
    await page.getByRole('button', { name: 'Download and load' }).click();
    await untilShown('model-backend');
    expect(await page.getByTestId('model-backend').textContent()).toContain('WASM');

    // A briefly trained model is unsure of itself; a low threshold still shows its real output.
    await page.getByTestId('conf').fill('0.01');
    const image = cards.images[0]!;
    await page.getByTestId('detect-image').setInputFiles(cards.path(image.file));
    await untilShown('detection-summary');
    expect(await page.getByTestId('detection-summary').textContent()).toMatch(
      /\d+ detections? · decode \d+ ms · pre \d+ ms/,
    );
    const boxes = await page
      .getByTestId('detection')
      .evaluateAll((nodes) =>
        nodes.map((n) => ({ cls: n.getAttribute('data-class'), box: n.getAttribute('data-box') })),
      );
    await snap('3-detections');
    expect(boxes.length).toBeGreaterThan(0);
    for (const { cls, box } of boxes) {
      expect(cls).toBe('card');
      const [x, y, w, h] = (box ?? '').split(',').map(Number) as [number, number, number, number];
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(image.width + 1e-6);
      expect(y + h).toBeLessThanOrEqual(image.height + 1e-6);
    }
  });

  it('refuses to train on a dataset with no boxes, with an explanation', async () => {
    await page.goto(`${loupe.url}/`);
    await page.getByLabel('Name').fill('Unlabeled');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/datasets\//);
    await page.getByTestId('add-images').setInputFiles(cards.path(cards.images[1]!.file));
    await expect.poll(() => summary().textContent()).toContain('1 image ·');
    await page.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('no labeled images');
    const { jobs } = await loupe.api<JobPage>('/api/jobs');
    expect(jobs).toHaveLength(1);
  });
});
