// Desktop drag and drop of photos, and zoom and pan that do not fight with drawing: the wheel
// zooms around the pointer and a box drawn while zoomed lands under the pointer; a two-finger
// pinch zooms without drawing anything; 0 resets the zoom.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PHONE } from './browser';
import { generateCards } from './loupe-server';
import { boxClasses, createDataset, pinchOut, startLabelingServer } from './labeling-helpers';

let loupe: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const cards = generateCards(2, 51);
const summary = () => page.getByTestId('dataset-summary').textContent();
const zoom = () =>
  page.locator('.stage').evaluate((n) => Number((n as HTMLElement).dataset.zoom ?? '1'));

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

describe('drop, zoom and pan', () => {
  it('adds photos dropped on the page', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Dropped', 'card');
    const files = cards.images.map((i) => ({
      name: i.file.split('/').at(-1)!,
      bytes: [...readFileSync(cards.path(i.file))],
    }));
    await page.evaluate((files) => {
      const data = new DataTransfer();
      for (const f of files) {
        data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'image/jpeg' }));
      }
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true }));
    }, files);
    await expect.poll(summary).toContain('2 images');
    await expect.poll(() => page.getByTestId('drop-overlay').count()).toBe(0);
  });

  it('zooms with the wheel around the pointer and draws under the pointer when zoomed', async () => {
    const stage = page.locator('.stage');
    await stage.scrollIntoViewIfNeeded();
    const s = (await stage.boundingBox())!;
    await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
    await page.mouse.wheel(0, -600);
    await expect.poll(zoom).toBeGreaterThan(1.2);

    // Drag 60 x 40 screen px around the middle of the stage.
    const x0 = s.x + s.width / 2 - 30;
    const y0 = s.y + s.height / 2 - 20;
    const svg = (await page.getByTestId('box-canvas').boundingBox())!; // the zoomed surface
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x0 + 30, y0 + 20, { steps: 3 });
    await page.mouse.move(x0 + 60, y0 + 40, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => boxClasses(page)).toEqual([0]);
    const drawn = await page
      .getByTestId('box')
      .locator('rect')
      .evaluate((r) => {
        const svg = r.closest('svg')!;
        const n = (a: string) => Number(r.getAttribute(a));
        return {
          x: n('x') / svg.clientWidth,
          y: n('y') / svg.clientHeight,
          w: n('width') / svg.clientWidth,
        };
      });
    expect(drawn.x).toBeCloseTo((x0 - svg.x) / svg.width, 2);
    expect(drawn.y).toBeCloseTo((y0 - svg.y) / svg.height, 2);
    expect(drawn.w).toBeCloseTo(60 / svg.width, 2);

    await page.keyboard.press('0');
    await expect.poll(zoom).toBe(1);
  });

  it('pinches with two fingers to zoom without drawing', async () => {
    await pinchOut(page);
    await expect.poll(zoom).toBeGreaterThan(1.2);
    // Still only the box drawn before: the first finger did not draw one.
    expect(await boxClasses(page)).toEqual([0]);
    await expect.poll(summary).toContain('1 box ·');
  });
});
