// The dataset browser in real Chromium: thumbnails made by the import worker (never the full
// photo in the grid), filters by review state and class, per-class counts, and a grid of 10,000
// images that keeps only the rows in view in the DOM.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateCards } from './loupe-server';
import { seedGridDataset } from './grid-seed';
import { createDataset, drawBox, openPhonePage, type LabelingServer } from './labeling-helpers';

let loupe: LabelingServer;
let page: Page;
const cards = generateCards(3, 31);
const summary = () => page.getByTestId('dataset-summary').textContent();
const cells = () => page.getByTestId('image-strip').getByRole('button');
const shown = () => page.getByTestId('shown-count').textContent();

openPhonePage((l, p) => {
  loupe = l;
  page = p;
});

describe('dataset browser', () => {
  it('shows worker-made thumbnails, filters by state and class, counts per class', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Browse', 'card, corner');
    await page.getByTestId('add-images').setInputFiles(cards.images.map((i) => cards.path(i.file)));
    await expect.poll(summary).toContain('3 images');

    // Every cell shows a small stored thumbnail, not the photo itself.
    await expect.poll(() => cells().locator('img').count()).toBe(3);
    const sizes = await cells()
      .locator('img')
      .evaluateAll((imgs) =>
        Promise.all(
          (imgs as HTMLImageElement[]).map(async (img) => {
            await img.decode();
            return [img.src.slice(0, 5), Math.max(img.naturalWidth, img.naturalHeight)] as const;
          }),
        ),
      );
    for (const [scheme, longest] of sizes) {
      expect(scheme).toBe('blob:');
      expect(longest).toBeLessThanOrEqual(192);
    }
    const full = cards.images[0]!;
    expect(Math.max(full.width, full.height)).toBeGreaterThan(192);

    // Image 1: a card; image 2: a corner, reviewed; image 3: nothing.
    await drawBox(page, { x: 0.1, y: 0.1, w: 0.3, h: 0.3 });
    await expect.poll(summary).toContain('1 box ·');
    await cells().nth(1).click();
    await page.getByRole('button', { name: '2. corner' }).click();
    await drawBox(page, { x: 0.5, y: 0.5, w: 0.3, h: 0.3 });
    await expect.poll(summary).toContain('2 boxes');
    await page.getByTestId('reviewed').check();
    await expect
      .poll(() => page.getByTestId('class-counts').textContent())
      .toContain('card: 1 label in 1 image');
    expect(await page.getByTestId('class-counts').textContent()).toContain(
      'corner: 1 label in 1 image',
    );

    const titles = () => cells().evaluateAll((b) => b.map((n) => n.getAttribute('title')));
    const names = cards.images.map((i) => i.file.split('/').at(-1));
    await page.getByTestId('state-filter').selectOption('unlabeled');
    await expect.poll(shown).toBe('1 of 3 shown');
    expect(await titles()).toEqual([names[2]]);
    await page.getByTestId('state-filter').selectOption('labeled');
    await expect.poll(shown).toBe('2 of 3 shown');
    await page.getByTestId('state-filter').selectOption('reviewed');
    await expect.poll(titles).toEqual([names[1]]);
    await page.getByTestId('state-filter').selectOption('all');
    await page.getByTestId('class-filter').selectOption({ label: 'card (1)' });
    await expect.poll(titles).toEqual([names[0]]);
    await page.getByTestId('class-filter').selectOption({ label: 'Any' });
    await expect.poll(shown).toBe('3 of 3 shown');
  });

  it('keeps only the rows in view in the DOM for 10,000 images', async () => {
    // 10,000 images written straight into IndexedDB (one tiny PNG under 10,000 hashes): the
    // importer is not what this test is about, the grid is.
    const datasetId = await seedGridDataset(page, {
      count: 10_000,
      name: 'Ten thousand',
      classes: ['card'],
      unlabeledEvery: 1,
    });
    // Long main-thread tasks, from the page's start: reported, not a pass/fail on speed.
    await page.addInitScript(() => {
      const w = window as unknown as { longest: number; supported: boolean };
      w.longest = 0;
      w.supported = PerformanceObserver.supportedEntryTypes.includes('longtask');
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${loupe.url}/datasets/${datasetId}`);
    // The count comes from an index and the first page of rows shows at once; the rest of the
    // rows are read a page at a time behind it.
    await expect.poll(summary).toContain('10,000 images');
    await expect.poll(() => cells().count()).toBeGreaterThan(0);
    expect(await cells().first().getAttribute('title')).toBe('card-0.png');
    await expect.poll(shown, { timeout: 120_000 }).toBe('10000 of 10000 shown');
    expect(await cells().count()).toBeLessThan(100);

    const read = () =>
      page.evaluate(() => {
        const w = window as unknown as { longest: number; supported: boolean };
        const longest = w.longest;
        w.longest = 0;
        return { longest, supported: w.supported };
      });
    const loading = await read();
    expect(loading.supported).toBe(true);
    const grid = page.getByTestId('image-strip');
    for (let i = 1; i <= 20; i++) {
      await grid.evaluate((el, f) => (el.scrollTop = el.scrollHeight * f), i / 20);
      await page.waitForTimeout(16);
    }
    await expect
      .poll(() => cells().evaluateAll((b) => b.map((n) => n.getAttribute('title'))))
      .toContain('card-9999.png');
    expect(await cells().count()).toBeLessThan(100);
    const scrolling = await read();
    console.log(
      `grid of 10,000 images: longest main-thread task (over 50 ms, else 0) while loading ` +
        `${loading.longest.toFixed(0)} ms, while scrolling ${scrolling.longest.toFixed(0)} ms`,
    );
  });
});
