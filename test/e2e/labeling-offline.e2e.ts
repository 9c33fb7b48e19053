// The labeling studio with the network gone: after one visit the service worker serves the app,
// and creating a dataset, importing photos, drawing, keyboard editing, undo/redo across a reload
// and class merging all work and persist in IndexedDB. The server is shut down, not only
// emulated offline, so nothing can come from the network.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PHONE } from './browser';
import { generateCards } from './loupe-server';
import {
  boxClasses,
  createDataset,
  drawBox,
  startLabelingServer,
  type NormBox,
} from './labeling-helpers';

let loupe: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const cards = generateCards(3, 5);
const summary = () => page.getByTestId('dataset-summary').textContent();
const A: NormBox = { x: 0.1, y: 0.1, w: 0.4, h: 0.3 };
const B: NormBox = { x: 0.5, y: 0.55, w: 0.3, h: 0.3 };

beforeAll(async () => {
  loupe = await startLabelingServer();
  browser = await launchChromium();
  context = await browser.newContext(PHONE);
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

describe('offline labeling', () => {
  it('installs the service worker on the first visit and opens with the network gone', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    // Installed (every precached file downloaded) and controlling this page.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
    expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(
      expect.arrayContaining(['192x192', '512x512']),
    );

    await loupe.close();
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    // Not the browser's error page: the app itself, from the cache.
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');
  });

  it('creates, imports, draws and edits with mouse and keyboard, offline, and keeps it all', async () => {
    await createDataset(page, 'Offline cards', 'card, corner');
    await page.getByTestId('add-images').setInputFiles(cards.images.map((i) => cards.path(i.file)));
    await expect.poll(summary).toContain('3 images · 0 boxes');

    // Image 1: a card box, then key 2 makes the selected box a corner.
    await drawBox(page, A);
    await expect.poll(() => boxClasses(page)).toEqual([0]);
    await page.keyboard.press('2');
    await expect.poll(() => boxClasses(page)).toEqual([1]);
    // Escape clears the selection; 1 picks the card class for the next box.
    await page.keyboard.press('Escape');
    await page.keyboard.press('1');
    await drawBox(page, B);
    await expect.poll(() => boxClasses(page)).toEqual([1, 0]);
    await expect.poll(summary).toContain('2 boxes');
    // Delete removes the selected (just drawn) box.
    await page.keyboard.press('Delete');
    await expect.poll(() => boxClasses(page)).toEqual([1]);
    await expect.poll(summary).toContain('1 box ·');

    // Next image, then "repeat previous image's labels".
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('2 / 3');
    await page.keyboard.press('r');
    await expect.poll(() => boxClasses(page)).toEqual([1]);
    await expect.poll(summary).toContain('2 boxes');

    // Undo the repeat and the delete with Ctrl+Z.
    await page.keyboard.press('Control+z');
    await expect.poll(summary).toContain('1 box ·');
    await page.keyboard.press('Control+z');
    await expect.poll(summary).toContain('2 boxes');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('1 / 3');

    // The history survives a reload (offline): redo twice brings both steps back.
    await page.reload();
    await expect.poll(summary).toContain('3 images · 2 boxes');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(summary).toContain('1 box ·');
    await page.getByTestId('redo').click();
    await expect.poll(summary).toContain('2 boxes');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('2 / 3');
    await expect(page.getByTestId('redo').isDisabled()).resolves.toBe(true);

    await page.reload();
    await expect.poll(summary).toContain('3 images · 2 boxes');
  });

  it('merges two classes and relabels every box, offline', async () => {
    await page.getByTestId('image-strip').getByRole('button').nth(2).click();
    await page.getByRole('button', { name: '2. corner' }).click();
    await drawBox(page, B);
    await page.getByTestId('class-manager').locator('summary').click();
    await page.getByLabel('Merge').selectOption({ label: 'corner' });
    await page.getByTestId('class-manager').getByLabel('into').selectOption({ label: 'card' });
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Merged "corner" into "card": 3 labels relabeled.');
    await expect.poll(summary).toContain('3 boxes · classes: card');
    await page.reload();
    await expect.poll(summary).toContain('3 boxes · classes: card');
    for (const n of [0, 1, 2]) {
      await page.getByTestId('image-strip').getByRole('button').nth(n).click();
      expect(new Set(await boxClasses(page))).toEqual(new Set([0]));
    }
  });
});
