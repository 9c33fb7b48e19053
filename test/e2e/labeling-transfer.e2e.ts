// Export and import in real Chromium: a labeled dataset exported as YOLO and as COCO, each file
// imported back as a new dataset with the same images, boxes and classes (and into an existing
// dataset); a bad file shows a clear message and stores nothing. Zipping runs in a worker.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetManifest, DatasetVersion } from '../../server/contract';
import { tokenCaller } from '../../server/testing/test-server';
import { launchChromium, PHONE } from './browser';
import { generateCards } from './loupe-server';
import { boxClasses, createDataset, drawBox, startLabelingServer } from './labeling-helpers';

let loupe: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let page: Page;
const cards = generateCards(3, 11);
const downloads = mkdtempSync(join(tmpdir(), 'loupe-exports-'));
const summary = () => page.getByTestId('dataset-summary').textContent();
const datasetCount = () => page.locator('.datasets li').count();
const exported: Record<string, string> = {};
let original: Record<string, number[]> = {};

/** Every image's box classes, by file name, read off the page image by image. */
async function labelsByFile(): Promise<Record<string, number[]>> {
  const thumbs = page.getByTestId('image-strip').getByRole('button');
  const out: Record<string, number[]> = {};
  for (let i = 0; i < (await thumbs.count()); i++) {
    await thumbs.nth(i).click();
    await expect
      .poll(() => page.getByTestId('image-position').textContent())
      .toContain(`${i + 1} /`);
    const name = (await thumbs.nth(i).getAttribute('title')) ?? '';
    out[name] = (await boxClasses(page)).sort();
  }
  return out;
}

beforeAll(async () => {
  loupe = await startLabelingServer();
  browser = await launchChromium();
  const context = await browser.newContext({ ...PHONE, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

async function goHome() {
  await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
  await page.getByRole('button', { name: 'Create' }).waitFor();
}

/** The home page's list of datasets, once it has loaded (every test after the first has one). */
async function loadedDatasetCount() {
  await page.locator('.datasets li').first().waitFor();
  return datasetCount();
}

describe('export and import', () => {
  it('exports a labeled dataset, warning first about what the format cannot hold', async () => {
    await goHome();
    await createDataset(page, 'Round trip', 'card, corner');
    await page.getByTestId('add-images').setInputFiles(cards.images.map((i) => cards.path(i.file)));
    await expect.poll(summary).toContain('3 images · 0 boxes');
    await drawBox(page, { x: 0.1, y: 0.1, w: 0.4, h: 0.3 });
    await page.keyboard.press('2'); // the selected box becomes a corner
    await page.getByTestId('image-strip').getByRole('button').nth(1).click();
    await drawBox(page, { x: 0.5, y: 0.5, w: 0.3, h: 0.3 });
    await expect.poll(summary).toContain('3 images · 2 boxes');
    original = await labelsByFile();
    expect(Object.values(original).sort()).toEqual([[], [0], [1]]);

    await page.getByTestId('dataset-export').locator('summary').click();
    for (const [format, label] of [
      ['yolo-detect', 'YOLO detect (.zip)'],
      ['coco', 'COCO JSON (.zip with images)'],
      ['imagefolder', 'ImageFolder (classify, .zip)'],
    ] as const) {
      await page.getByLabel('Format').selectOption({ label });
      const warnings = page.getByTestId('export-warnings');
      if (format === 'imagefolder') {
        // Boxes do not fit in ImageFolder: said before anything is written.
        await expect
          .poll(() => warnings.textContent())
          .toContain('2 boxes and polygons are left out');
        continue;
      }
      await expect.poll(() => warnings.textContent()).toContain('holds every label');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export', exact: true }).click(),
      ]);
      const path = join(downloads, download.suggestedFilename());
      await download.saveAs(path);
      exported[format] = path;
    }
    expect(exported['yolo-detect']).toMatch(/Round-trip-yolo-detect\.zip$/);
    expect(exported['coco']).toMatch(/Round-trip-coco\.zip$/);
  });

  it.each(['yolo-detect', 'coco'])(
    'imports the %s file as a new dataset with the same labels',
    async (format) => {
      await goHome();
      const before = await loadedDatasetCount();
      await page.getByTestId('import-dataset').setInputFiles(exported[format]!);
      await expect
        .poll(() => page.getByTestId('import-result').textContent())
        .toContain('3 images');
      await expect.poll(datasetCount).toBe(before + 1);
      await page.getByTestId('import-result').getByRole('link', { name: 'Open it' }).click();
      await expect.poll(summary).toContain('3 images · 2 boxes · classes: card, corner');
      // The same boxes on the same images, by file name.
      expect(await labelsByFile()).toEqual(original);
    },
  );

  it('refuses a cut-short zip and a file that is not a zip, storing nothing', async () => {
    await goHome();
    const before = await loadedDatasetCount();
    const whole = readFileSync(exported['coco']!);
    const cut = join(downloads, 'cut-short.zip');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const text = join(downloads, 'notes.zip');
    writeFileSync(text, 'these are notes, not a dataset');
    for (const [file, message] of [
      [cut, 'not a readable zip'],
      [text, 'not a zip'],
    ] as const) {
      await page.getByTestId('import-dataset').setInputFiles(file);
      await expect.poll(() => page.getByTestId('import-error').textContent()).toContain(message);
      await expect
        .poll(() => page.getByTestId('import-error').textContent())
        .toMatch(/nothing was imported/i);
    }
    await page.reload();
    expect(await loadedDatasetCount()).toBe(before);
  });

  it('keeps YOLO labels past the edge as given, lists those changed, and syncs them so', async () => {
    await goHome();
    const photo = cards.images[0]!;
    const name = photo.file.split('/').at(-1)!;
    // A box a rounding hair past the right edge (kept), one 7% past it (clipped for Ultralytics).
    const lines = '0 0.9500005 0.5 0.1000003 0.3\n0 1.02 0.5 0.1 0.1\n';
    const zip = join(downloads, 'edge-labels.zip');
    writeFileSync(
      zip,
      zipSync({
        'data.yaml': strToU8('names: [card]\n'),
        [`images/train/${name}`]: readFileSync(cards.path(photo.file)),
        [`labels/train/${name.replace(/\.[^.]+$/, '.txt')}`]: strToU8(lines),
      }),
    );
    await page.getByTestId('import-dataset').setInputFiles(zip);
    const changed = page.getByTestId('import-changed');
    await expect
      .poll(() => changed.textContent())
      .toContain('1 label changed so Ultralytics can train on them');
    await changed.locator('summary').click();
    await expect.poll(() => changed.textContent()).toContain('line 2: the box reaches further');
    await page.getByTestId('import-result').getByRole('link', { name: 'Open it' }).click();
    await expect.poll(summary).toContain('1 image · 2 boxes');
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Synced');
    const user = tokenCaller((path, init) => fetch(loupe.url + path, init))(loupe.tokens.userToken);
    const versions = (await (await user('/api/dataset-versions')).json()) as DatasetVersion[];
    const version = versions.find((v) => v.name === 'edge-labels')!;
    const manifest = (await (
      await user(`/api/dataset-versions/${version.id}/manifest`)
    ).json()) as DatasetManifest;
    const [kept, clipped] = manifest.images[0]!.boxes;
    // The user's numbers, exactly: the stored corner gives the written centre back.
    expect(kept).toEqual({
      classIndex: 0,
      x: 0.9500005 - 0.1000003 / 2,
      y: 0.35,
      w: 0.1000003,
      h: 0.3,
    });
    expect(kept!.x + kept!.w / 2).toBe(0.9500005);
    expect(clipped!.x).toBeCloseTo(0.97, 12); // it reached 1.07; now it ends at the edge
    expect(clipped!.x + clipped!.w).toBeCloseTo(1, 12);
  });

  it('imports a file into an existing dataset: classes by name, held images skipped', async () => {
    await goHome();
    await createDataset(page, 'Corners first', 'corner');
    await page.getByTestId('add-images').setInputFiles(cards.path(cards.images[0]!.file));
    await expect.poll(summary).toContain('1 image · 0 boxes');
    await page.getByTestId('import-into-dataset').setInputFiles(exported['yolo-detect']!);
    // The photo it holds is skipped (its labels stay); 'card' is new and appended after 'corner'.
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('2 images imported; 1 already in the dataset, skipped; new classes: card');
    await expect.poll(summary).toContain('3 images · 1 box · classes: corner, card');
    const byFile = await labelsByFile();
    const first = cards.images[0]!.file.split('/').at(-1)!;
    expect(byFile[first]).toEqual([]);
    // The exported card box keeps its class by name: 'card' is index 1 in this dataset.
    expect(Object.values(byFile).sort()).toEqual([[], [], [1]]);
  });
});
