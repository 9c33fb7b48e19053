// Model-assisted labeling with a real model: a tiny detect model trained by the local gpu-runner
// (real Ultralytics, CPU), picked from the server's list in the dataset page, loaded into the
// inference worker; its predictions appear as suggestions, are accepted into labels (undoable),
// and "pre-label all unlabeled" runs with progress. Suggestions are stored on the device: after
// a reload they are shown again and the browser's confidence filter finds the photo.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, ModelVersion } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { generateCards, startLoupe } from './loupe-server';
import { createDataset } from './labeling-helpers';
import { plural } from '../../web/lib/text/wording';

let loupe: Awaited<ReturnType<typeof startLoupe>>;
let browser: Browser;
let page: Page;
const cards = generateCards(8, 41);
const summary = () => page.getByTestId('dataset-summary').textContent();

beforeAll(async () => {
  loupe = await startLoupe();
  const version = await loupe.seed(cards);
  await loupe.post<Job>('/api/jobs', {
    datasetVersionId: version.id,
    task: 'detect',
    model: 'yolo11n',
    epochs: 3,
    imgsz: 96,
  });
  browser = await launchChromium();
  page = await (await browser.newContext(PHONE)).newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  // The job trains for real; wait for its model version to be registered.
  for (;;) {
    const models = await loupe.api<ModelVersion[]>('/api/models');
    if (models.length > 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

describe('pre-labeling', () => {
  it('suggests boxes from a downloaded model, accepted into labels and undone', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Pre-labeled', cards.classes.join(', '));
    await page
      .getByTestId('add-images')
      .setInputFiles(cards.images.slice(0, 3).map((i) => cards.path(i.file)));
    await expect.poll(summary).toContain('3 images · 0 boxes');

    const panel = page.getByTestId('prelabel');
    await panel.locator('summary').click();
    await panel.getByRole('button', { name: 'Choose a model' }).click();
    await panel.getByRole('button', { name: 'Download and load' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toContain('Model loaded');

    // A briefly trained model is unsure of itself; a low cut-off still shows its real output.
    await page.getByTestId('prelabel-conf').fill('0.01');
    await panel.getByRole('button', { name: 'Pre-label this image' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toMatch(/\d+ suggestion/);
    const count = await page.getByTestId('suggestions').locator('li').count();
    expect(count).toBeGreaterThan(0);
    expect(await page.getByTestId('prediction').count()).toBe(count);

    // One accepted by hand, the rest all at once above 0%.
    await page.getByTestId('suggestions').getByRole('button', { name: 'Accept' }).first().click();
    await expect.poll(summary).toContain('1 box ·');
    if (count > 1) {
      await page.getByTestId('accept-threshold').fill('0');
      await panel.getByRole('button', { name: /Accept all/ }).click();
      await expect.poll(summary).toContain(`${plural(count, 'box', 'boxes')}`);
    }
    await expect.poll(() => page.getByTestId('prediction').count()).toBe(0);
    expect(await page.getByTestId('box').count()).toBe(count);

    // Accepting is an ordinary label change: undo takes it back.
    await page.getByTestId('undo').click();
    await expect
      .poll(summary)
      .toContain(`${plural(count - (count > 1 ? count - 1 : 1), 'box', 'boxes')}`);
  });

  it('pre-labels every unlabeled image with progress', async () => {
    const panel = page.getByTestId('prelabel');
    await panel.getByRole('button', { name: /Pre-label all unlabeled \(\d+\)/ }).click();
    await expect
      .poll(() => panel.getByRole('status').textContent())
      .toMatch(/Pre-labeled \d+ image/);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('2 / 3');
    await expect.poll(() => page.getByTestId('prediction').count()).toBeGreaterThan(0);
  });

  it('keeps suggestions over a reload, where the confidence filter finds the photo', async () => {
    // The second photo was pre-labeled above and none of its suggestions was taken or rejected.
    const strip = page.getByTestId('image-strip');
    const name = (await strip.locator('.cell.active').getAttribute('title')) ?? '';
    const predictions = await page.getByTestId('prediction').count();
    expect(predictions).toBeGreaterThan(0);
    await page.reload();
    await expect.poll(summary).toContain('3 images');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('1 / 3');

    const filter = page.getByTestId('confidence-filter');
    await filter.selectOption('best-above');
    await page.getByTestId('confidence-threshold').fill('0');
    // Whichever photos kept a suggestion pass (the first one's may all have become labels), and
    // the second one is among them: this visit made none, so they were read from storage.
    const shownCount = () => page.getByTestId('shown-count').textContent();
    await expect.poll(shownCount).toMatch(/^[1-3] of 3 shown$/);
    expect(await strip.getByTitle(name).count()).toBe(1);
    await filter.selectOption('best-below');
    await expect.poll(shownCount).toBe('0 of 3 shown');

    await filter.selectOption('best-above');
    await strip.getByTitle(name).click();
    await expect.poll(() => page.getByTestId('prediction').count()).toBe(predictions);
  });
});
