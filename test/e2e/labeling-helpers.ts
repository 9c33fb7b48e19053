// Shared by the labeling end-to-end tests: a Loupe server without a gpu-runner (labeling needs
// none), and the mouse/keyboard steps a person takes on the labeling page.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll } from 'vitest';
import { readEnv } from '../../server/env';
import { startServer } from '../../server/server';
import { launchChromium, PHONE } from './browser';

export type LabelingServer = Awaited<ReturnType<typeof startLabelingServer>>;

/**
 * A labeling server and one phone-sized page for a test file: started before its tests, closed
 * after them; `ready` hands both over once they exist.
 */
export function openPhonePage(ready: (loupe: LabelingServer, page: Page) => void) {
  let loupe: LabelingServer | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeAll(async () => {
    loupe = await startLabelingServer();
    browser = await launchChromium();
    const page = await (await browser.newContext(PHONE)).newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    ready(loupe, page);
  });
  afterAll(async () => {
    await browser?.close();
    await loupe?.close();
  });
}

/** `webDir`: the PWA build to serve (another one than `build/` for app-update tests). */
export async function startLabelingServer(webDir = resolve('build')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-labeling-'));
  const env = readEnv({
    LOUPE_PORT: '0',
    LOUPE_DATA_DIR: dataDir,
    LOUPE_RUNNER: 'off',
    LOUPE_WEB_DIR: webDir,
  });
  const server = await startServer(env);
  let closed = false;
  return {
    ...server,
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `count` PNG photos of gaussian noise in `dir`, each different; noise does not compress, so
 * their size is predictable. Answers their paths and their bytes all together.
 */
export async function noisePhotos(
  dir: string,
  count: number,
  o: { width: number; height: number; mean: number; sigma: number; compressionLevel?: number },
) {
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const file = join(dir, `photo-${i}.png`);
    const noise = { type: 'gaussian' as const, mean: o.mean + i, sigma: o.sigma };
    const png = await sharp({
      create: { width: o.width, height: o.height, channels: 3, noise, background: '#000' },
    })
      .png({ compressionLevel: o.compressionLevel ?? 6 })
      .toBuffer();
    writeFileSync(file, png);
    files.push(file);
    bytes += png.length;
  }
  return { files, bytes };
}

export type NormBox = { x: number; y: number; w: number; h: number };

/** Drags a box on the labeling surface, in normalised image coordinates. */
export async function drawBox(page: Page, b: NormBox) {
  await page.getByTestId('box-canvas').scrollIntoViewIfNeeded();
  const rect = await page.getByTestId('box-canvas').boundingBox();
  if (!rect) throw new Error('the labeling surface is not visible');
  const x0 = rect.x + b.x * rect.width;
  const y0 = rect.y + b.y * rect.height;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + (b.w * rect.width) / 2, y0 + (b.h * rect.height) / 2, { steps: 3 });
  await page.mouse.move(x0 + b.w * rect.width, y0 + b.h * rect.height, { steps: 3 });
  await page.mouse.up();
}

/** The class index of every box drawn on the current image. */
export function boxClasses(page: Page): Promise<number[]> {
  return page
    .getByTestId('box')
    .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-class-index'))));
}

export async function createDataset(page: Page, name: string, classes: string) {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Classes (comma-separated)').fill(classes);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/datasets\//);
}

export async function createTaskDataset(
  page: Page,
  name: string,
  classes: string,
  task: 'Boxes (detect)' | 'Polygons (segment)' | 'Image class (classify)',
) {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Classes (comma-separated)').fill(classes);
  await page.getByLabel('Task').selectOption({ label: task });
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/datasets\//);
}

/** Screen position of a normalised point on a labeling surface. */
export async function screenPoint(page: Page, testId: string, x: number, y: number) {
  await page.getByTestId(testId).scrollIntoViewIfNeeded();
  const rect = await page.getByTestId(testId).boundingBox();
  if (!rect) throw new Error(`${testId} is not visible`);
  return { x: rect.x + x * rect.width, y: rect.y + y * rect.height };
}

/** Taps (clicks) each vertex of an outline on the polygon surface. */
export async function tapVertices(page: Page, points: [number, number][]) {
  for (const [x, y] of points) {
    const p = await screenPoint(page, 'polygon-canvas', x, y);
    await page.mouse.click(p.x, p.y);
  }
}

/**
 * Every polygon on the current image in label order (they are drawn largest first): class and
 * vertices in normalised coordinates, rounded to 0.01.
 */
export function polygonsOnPage(page: Page) {
  return page.getByTestId('polygon').evaluateAll((nodes) =>
    [...nodes]
      .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
      .map((n) => {
        const svg = n.closest('svg')!;
        const w = svg.clientWidth;
        const h = svg.clientHeight;
        const points = (n.getAttribute('points') ?? '')
          .trim()
          .split(/\s+/)
          .map((p) => p.split(',').map(Number))
          .map(([x = 0, y = 0]) => [
            Math.round((x / w) * 100) / 100,
            Math.round((y / h) * 100) / 100,
          ]);
        return { classIndex: Number(n.getAttribute('data-class-index')), points };
      }),
  );
}

type TouchType = 'touchStart' | 'touchMove' | 'touchEnd';

/** Touch events through CDP (the browser makes the pointer events), one point per finger. */
async function touches(page: Page, steps: [TouchType, [number, number][]][]) {
  const cdp = await page.context().newCDPSession(page);
  for (const [type, points] of steps) {
    await cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: points.map(([x, y], id) => ({ x, y, id })),
    });
  }
  await cdp.detach();
}

/**
 * Two fingers spread apart around the middle of the labeling stage: a phone's zoom. The first
 * finger lands and moves a little before the second, as a real hand does.
 */
export async function pinchOut(page: Page) {
  const s = (await page.locator('.stage').boundingBox())!;
  const [cx, cy] = [s.x + s.width / 2, s.y + s.height / 2];
  const spread: [TouchType, [number, number][]][] = [];
  for (let d = 30; d <= 80; d += 10) {
    spread.push([
      'touchMove',
      [
        [cx - d, cy],
        [cx + d, cy],
      ],
    ]);
  }
  await touches(page, [
    ['touchStart', [[cx - 20, cy]]],
    ['touchMove', [[cx - 22, cy]]],
    [
      'touchStart',
      [
        [cx - 22, cy],
        [cx + 20, cy],
      ],
    ],
    ...spread,
    ['touchEnd', []],
  ]);
}

/** One finger moved `dx` pixels sideways from `from`, in five steps. */
export async function swipeSideways(page: Page, from: { x: number; y: number }, dx: number) {
  const moves: [TouchType, [number, number][]][] = [1, 2, 3, 4, 5].map((i) => [
    'touchMove',
    [[from.x + (dx * i) / 5, from.y]],
  ]);
  await touches(page, [['touchStart', [[from.x, from.y]]], ...moves, ['touchEnd', []]]);
}
