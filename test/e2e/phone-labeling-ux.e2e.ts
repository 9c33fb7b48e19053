// The labeling page on a phone (390 px wide, touch), as a first-time user meets it: previous and
// next buttons and a swipe move between photos; a photo tapped in the grid opens with its class
// buttons below the sticky header; zoom does not carry over to the next photo and a button
// resets it; the hint under a box just drawn says what a drag does then; shortcuts keep working
// after a click on the Reviewed checkbox; the export says review marks are not exported and its
// zip worker logs no errors; a dataset never synced asks the server for no conflicts; nothing is
// wider than the phone; a dataset can be renamed and deleted, told first what that means.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  createDataset,
  drawBox,
  noisePhotos,
  openPhonePage,
  pinchOut,
  swipeSideways,
  type LabelingServer,
} from './labeling-helpers';

let loupe: LabelingServer;
let page: Page;
/** Every console error and uncaught error, from the page and its workers. */
const errors: string[] = [];
/** Every request for a dataset's label conflicts. */
const conflictRequests: string[] = [];

openPhonePage((server, p) => {
  loupe = server;
  page = p;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && errors.push(m.text())));
  page.on('request', (r) => {
    if (r.url().includes('/conflicts')) conflictRequests.push(r.url());
  });
});

const summary = () => page.getByTestId('dataset-summary').textContent();
const position = async () =>
  ((await page.getByTestId('image-position').textContent()) ?? '').trim();
const zoom = () =>
  page.locator('.stage').evaluate((n) => Number((n as HTMLElement).dataset.zoom ?? '1'));

async function zoomIn() {
  await pinchOut(page);
  await expect.poll(zoom).toBeGreaterThan(1.2);
}

describe('labeling on a phone', () => {
  it('opens a new dataset without asking the server for its conflicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-phone-ux-'));
    const { files } = await noisePhotos(dir, 3, { width: 400, height: 300, mean: 90, sigma: 30 });
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Phone cards', 'card, back');
    await page.getByTestId('add-images').setInputFiles(files);
    await expect.poll(summary).toContain('3 images · 0 boxes');
    // The review state follows the position with a space before the "·".
    await expect.poll(position).toBe('1 / 3 · to do');
    expect(conflictRequests).toEqual([]);
    expect(errors.filter((e) => /404/.test(e))).toEqual([]);
  });

  it('says what a drag does after drawing, with Delete box not the primary button', async () => {
    await drawBox(page, { x: 0.2, y: 0.2, w: 0.4, h: 0.4 });
    await expect.poll(summary).toContain('1 box ·');
    expect(await page.getByTestId('box-hint').textContent()).toContain('Tap it to move or resize');
    expect(await page.getByTestId('box-hint').textContent()).not.toContain('Drag it to move');
    expect(await page.getByTestId('delete-box').getAttribute('class')).toContain('secondary');
  });

  it('keeps shortcuts working after a click on the Reviewed checkbox', async () => {
    await page.getByTestId('reviewed').click();
    await expect.poll(() => page.getByTestId('reviewed').isChecked()).toBe(true);
    // A checkbox keeps its own size (not a 40 px text box).
    expect((await page.getByTestId('reviewed').boundingBox())!.height).toBeLessThanOrEqual(24);
    await page.keyboard.press('Control+z');
    await expect.poll(summary).toContain('0 boxes');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(summary).toContain('1 box ·');
  });

  it('moves between photos with buttons and a swipe', async () => {
    await expect.poll(() => page.getByTestId('previous-photo').isDisabled()).toBe(true);
    await page.getByTestId('next-photo').tap();
    await expect.poll(position).toMatch(/^2 \/ 3/);
    await page.getByTestId('next-photo').tap();
    await expect.poll(position).toMatch(/^3 \/ 3/);
    expect(await page.getByTestId('next-photo').isDisabled()).toBe(true);
    await page.getByTestId('previous-photo').tap();
    await expect.poll(position).toMatch(/^2 \/ 3/);

    const nav = (await page.getByTestId('image-position').boundingBox())!;
    const from = { x: nav.x + nav.width / 2 + 60, y: nav.y + nav.height / 2 };
    await swipeSideways(page, from, -150); // to the left: the next photo
    await expect.poll(position).toMatch(/^3 \/ 3/);
    await swipeSideways(page, { x: from.x - 120, y: from.y }, 150); // to the right: back
    await expect.poll(position).toMatch(/^2 \/ 3/);
  });

  it('resets the zoom on the next photo and with a button', async () => {
    await zoomIn();
    await page.getByTestId('reset-zoom').tap();
    await expect.poll(zoom).toBe(1);
    expect(await page.getByTestId('reset-zoom').count()).toBe(0);
    await zoomIn();
    await page.getByTestId('previous-photo').tap();
    await expect.poll(position).toMatch(/^1 \/ 3/);
    await expect.poll(zoom).toBe(1);
  });

  it('shows a photo tapped in the grid with its class buttons below the sticky header', async () => {
    const thumbs = page.getByTestId('image-strip').getByRole('button');
    await thumbs.nth(2).scrollIntoViewIfNeeded();
    await thumbs.nth(2).tap();
    await expect.poll(position).toMatch(/^3 \/ 3/);
    const firstClass = page.getByRole('button', { name: '1. card' });
    const headerBottom = () =>
      page.locator('header').evaluate((h) => h.getBoundingClientRect().bottom);
    const classTop = () => firstClass.evaluate((b) => b.getBoundingClientRect().top);
    await expect.poll(async () => (await classTop()) >= (await headerBottom())).toBe(true);
    expect(await classTop()).toBeLessThan(page.viewportSize()!.height);
  });

  it('is no wider than the phone, and its disclosures show a marker', async () => {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      screen: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    const marker = await page
      .getByTestId('dataset-export')
      .locator('summary')
      .evaluate((s) => getComputedStyle(s, '::before').content);
    expect(marker).toContain('▸');
  });

  it('says review marks are not exported, and exports with no worker errors', async () => {
    await page.getByTestId('dataset-export').locator('summary').click();
    await expect
      .poll(() => page.getByTestId('export-warnings').textContent())
      .toContain('Review marks are not exported: 1 photo is marked reviewed');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    await expect
      .poll(() => page.getByRole('status').allTextContents())
      .toContainEqual(expect.stringContaining('Exported'));
    expect(errors.filter((e) => /Unserializable|DataCloneError/.test(e))).toEqual([]);
  });

  it('renames and deletes the dataset, saying first that it was never synced', async () => {
    await page.getByTestId('dataset-rename').click();
    await page.getByTestId('dataset-name-input').fill('Phone cards, kitchen table');
    await page.getByTestId('dataset-name-save').click();
    await expect
      .poll(() => page.getByTestId('dataset-name').textContent())
      .toBe('Phone cards, kitchen table');
    await page.getByTestId('dataset-delete').click();
    await expect
      .poll(() => page.getByTestId('dataset-delete-confirm').textContent())
      .toContain('It was never synced, so no copy exists anywhere else: it is gone for good.');
    await page.getByTestId('dataset-delete-confirmed').click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.getByText('No datasets on this device yet').count()).toBe(1);
  });
});
