// Autosave in real Chromium: a box drawn and at once left for another photo is never lost (the
// switch must not race the write), and closing the tab asks first only while a write is pending.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PHONE } from './browser';
import { generateCards } from './loupe-server';
import { createDataset, drawBox, startLabelingServer } from './labeling-helpers';
import { plural } from '../../web/lib/text/wording';

const IMAGES = 6;
const ROUNDS = 3;

let loupe: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let page: Page;
const cards = generateCards(IMAGES, 47);
const summary = () => page.getByTestId('dataset-summary').textContent();
const cells = () => page.getByTestId('image-strip').getByRole('button');

beforeAll(async () => {
  loupe = await startLabelingServer();
  browser = await launchChromium();
  page = await (await browser.newContext(PHONE)).newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

describe('autosave', () => {
  it('keeps every box drawn right before switching photos, across a reload', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Quick hands', 'card');
    await page.getByTestId('add-images').setInputFiles(cards.images.map((i) => cards.path(i.file)));
    await expect.poll(summary).toContain(`${plural(IMAGES, 'image')}`);

    // Draw, and switch at once (by the grid and by the keyboard), with no wait for the count.
    let drawn = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < IMAGES; i++) {
        if (i % 2 === 0) await cells().nth(i).click();
        const at = 0.05 + round * 0.3;
        await drawBox(page, { x: at, y: at, w: 0.2, h: 0.2 });
        drawn += 1;
        if (i % 2 === 0) await page.keyboard.press('ArrowRight');
      }
    }
    await expect.poll(summary).toContain(`${plural(drawn, 'box', 'boxes')}`);
    await expect
      .poll(() => page.getByTestId('save-state').textContent())
      .toContain('All changes saved');
    await page.reload();
    await expect
      .poll(summary)
      .toContain(`${plural(IMAGES, 'image')} · ${plural(drawn, 'box', 'boxes')}`);
    // Each photo holds exactly the boxes drawn on it: none went to a neighbour.
    // (A cell also shows its split, "val" or "test", after the count: take the last number.)
    const counts = await cells().evaluateAll((b) =>
      b.map((n) => /(\d+)\D*$/.exec(n.textContent ?? '')?.[1]),
    );
    expect(counts).toEqual(Array.from({ length: IMAGES }, () => String(ROUNDS)));
  });

  it('asks before the tab closes while a write is pending, and never once all is saved', async () => {
    // A real IndexedDB transaction held open on the labels keeps the next write waiting.
    await page.evaluate(() => {
      const w = window as unknown as { release: () => void };
      let held = true;
      w.release = () => (held = false);
      const open = indexedDB.open('loupe');
      open.onsuccess = () => {
        const store = open.result
          .transaction('annotations', 'readwrite')
          .objectStore('annotations');
        const spin = () => {
          if (held) store.count().onsuccess = spin;
        };
        spin();
      };
    });
    const before = (await summary()) ?? '';
    await drawBox(page, { x: 0.6, y: 0.6, w: 0.2, h: 0.2 });
    await expect.poll(() => page.getByTestId('save-state').textContent()).toContain('Saving');
    expect(await summary()).not.toBe(before);

    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss(); // stay on the page
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => asked).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);

    await page.evaluate(() => (window as unknown as { release: () => void }).release());
    await expect
      .poll(() => page.getByTestId('save-state').textContent())
      .toContain('All changes saved');
    page.on('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.accept();
    });
    const closed = new Promise((resolve) => page.once('close', resolve));
    await page.close({ runBeforeUnload: true });
    await closed;
    expect(asked).toEqual(['beforeunload']);
  });

  it('makes a missing thumbnail when the grid shows the image, and keeps it', async () => {
    page = await (await browser.newContext(PHONE)).newPage();
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Pulled', 'card');
    const datasetUrl = page.url();
    // Stored as a pull stores them: image rows with no thumbnail.
    await page.evaluate(async () => {
      const png = await (await fetch('/icons/icon-512.png')).blob();
      const id = location.pathname.split('/').at(-1)!;
      const db = await new Promise<IDBDatabase>((resolve) => {
        const open = indexedDB.open('loupe');
        open.onsuccess = () => resolve(open.result);
      });
      const tx = db.transaction(['images', 'annotations'], 'readwrite');
      for (let i = 0; i < 3; i++) {
        const sha256 = `${i}`.repeat(64);
        tx.objectStore('images').put({
          sha256,
          blob: png,
          mimeType: 'image/png',
          width: 512,
          height: 512,
          bytes: png.size,
          addedAt: i,
        });
        tx.objectStore('annotations').put({
          datasetId: id,
          sha256,
          fileName: `pulled-${i}.png`,
          boxes: [],
          addedAt: i,
          updatedAt: i,
        });
      }
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
    await page.goto(datasetUrl);
    await expect.poll(summary).toContain('3 images');
    await expect.poll(() => cells().locator('img').count()).toBe(3);
    const longest = await cells()
      .locator('img')
      .evaluateAll((imgs) =>
        Promise.all(
          (imgs as HTMLImageElement[]).map(async (img) => {
            await img.decode();
            return Math.max(img.naturalWidth, img.naturalHeight);
          }),
        ),
      );
    for (const side of longest) expect(side).toBeLessThanOrEqual(192);
    const stored = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open('loupe');
          open.onsuccess = () => {
            const count = open.result.transaction('thumbnails').objectStore('thumbnails').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
    expect(stored).toBe(3);
  });
});
