// Moving and resizing boxes in real Chromium on a phone-sized page: a drawn box dragged by its
// inside, resized by a corner handle and by an edge handle, nudged with the arrow keys; each
// edit stored (normalised) as one undo step, undone and redone, and the labels and the history
// still there after a reload; then a finger moves the box and a pinch on it only zooms.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateCards } from './loupe-server';
import {
  createDataset,
  drawBox,
  openPhonePage,
  screenPoint,
  type LabelingServer,
  type NormBox,
} from './labeling-helpers';

let loupe: LabelingServer;
let page: Page;
const cards = generateCards(2, 33);
const summary = () => page.getByTestId('dataset-summary').textContent();
const position = () => page.getByTestId('image-position').textContent();
const zoom = () =>
  page.locator('.stage').evaluate((n) => Number((n as HTMLElement).dataset.zoom ?? '1'));

openPhonePage((l, p) => {
  loupe = l;
  page = p;
});

type StoredBox = NormBox & { classIndex: number };

/** Every box stored in IndexedDB, read the way the app stores them (not from the screen). */
function stored(): Promise<StoredBox[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('loupe');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const rows = open.result.transaction('annotations').objectStore('annotations').getAll();
          rows.onsuccess = () => {
            open.result.close();
            resolve((rows.result as { boxes?: StoredBox[] }[]).flatMap((r) => r.boxes ?? []));
          };
        };
      }),
  );
}

/** One stored box, once it matches: within `digits` decimals of each expected value. */
async function storedNear(box: NormBox, digits: number) {
  const near = (n: number) => expect.closeTo(n, digits);
  const matcher = { classIndex: 0, x: near(box.x), y: near(box.y), w: near(box.w), h: near(box.h) };
  await expect.poll(stored).toEqual([matcher]);
  return (await stored())[0]!;
}

/** A mouse drag between two screen points, in a few steps, as a hand would. */
async function mouseDrag(from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
}

/** Where a handle of the selected box is on screen, once it is drawn where `box` says. */
async function handleCentre(handle: string, box: NormBox) {
  const grip = page.locator(`[data-handle="${handle}"] .grip`);
  const centre = async () => {
    const r = await grip.boundingBox();
    return r && { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  };
  // The stored box is written before the editor redraws: wait for the handle to follow it.
  const x = box.x + (handle.includes('w') ? 0 : handle.includes('e') ? box.w : box.w / 2);
  const y = box.y + (handle.includes('n') ? 0 : handle.includes('s') ? box.h : box.h / 2);
  const want = await screenPoint(page, 'box-canvas', x, y);
  await expect
    .poll(async () => {
      const c = await centre();
      return c !== null && Math.hypot(c.x - want.x, c.y - want.y) < 1;
    })
    .toBe(true);
  return (await centre())!;
}

/** The stage's size in CSS pixels, which the arrow keys' steps are counted in. */
const stageSize = () =>
  page.locator('.stage').evaluate((n) => ({ w: n.clientWidth, h: n.clientHeight }));

const history = async () => ({
  undo: await page.getByTestId('undo').isEnabled(),
  redo: await page.getByTestId('redo').isEnabled(),
});

const states: Record<string, StoredBox> = {};

describe('moving and resizing boxes', () => {
  it('moves a box by dragging it, resizes it by a corner and an edge handle', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Moves', 'card, corner');
    await page.getByTestId('add-images').setInputFiles(cards.images.map((i) => cards.path(i.file)));
    await expect.poll(summary).toContain('2 images');
    // The import's progress bar above the photo goes only after the summary counts the photos;
    // until then the photo may still move up under the pointer.
    await expect.poll(() => page.locator('progress').count()).toBe(0);

    await drawBox(page, { x: 0.2, y: 0.2, w: 0.3, h: 0.3 });
    const drawn = await storedNear({ x: 0.2, y: 0.2, w: 0.3, h: 0.3 }, 2);
    // A box just drawn shows no handles, so the next drag draws the next box even beside it;
    // a tap on it picks it for editing: four corner and four edge handles.
    expect(await page.getByTestId('handle').count()).toBe(0);
    const inside = await screenPoint(page, 'box-canvas', 0.35, 0.35);
    await page.mouse.click(inside.x, inside.y);
    await expect.poll(() => page.getByTestId('handle').count()).toBe(8);

    // Drag its inside by (+0.1, +0.05): same size, moved, and no second box drawn.
    await mouseDrag(
      await screenPoint(page, 'box-canvas', 0.35, 0.35),
      await screenPoint(page, 'box-canvas', 0.45, 0.4),
    );
    const moved = await storedNear({ ...drawn, x: drawn.x + 0.1, y: drawn.y + 0.05 }, 2);
    expect(moved.w).toBe(drawn.w);
    expect(moved.h).toBe(drawn.h);
    expect(await summary()).toContain('1 box ·');

    // The bottom-right corner to (0.7, 0.75): the top-left corner stays.
    // The target first: screenPoint may scroll the page, which would move the handle.
    const target = await screenPoint(page, 'box-canvas', 0.7, 0.75);
    await mouseDrag(await handleCentre('se', moved), target);
    const corner = await storedNear(
      { x: moved.x, y: moved.y, w: 0.7 - moved.x, h: 0.75 - moved.y },
      2,
    );
    expect([corner.x, corner.y]).toEqual([moved.x, moved.y]);

    // The left edge 0.15 further left: only x and w change.
    const w = await handleCentre('w', corner);
    const canvas = (await page.getByTestId('box-canvas').boundingBox())!;
    await mouseDrag(w, { x: w.x - 0.15 * canvas.width, y: w.y + 5 });
    const edge = await storedNear({ ...corner, x: corner.x - 0.15, w: corner.w + 0.15 }, 2);
    expect([edge.y, edge.h]).toEqual([corner.y, corner.h]);
    expect(edge.x + edge.w).toBeCloseTo(corner.x + corner.w, 9);
    Object.assign(states, { moved, corner, edge });
  });

  it('nudges the box with the arrow keys without leaving the photo', async () => {
    const { edge } = states;
    const stage = await stageSize();
    await page.keyboard.press('ArrowRight');
    const right = await storedNear({ ...edge!, x: edge!.x + 1 / stage.w }, 9);
    await page.keyboard.press('Shift+ArrowDown');
    const down = await storedNear({ ...right, y: right.y + 10 / stage.h }, 9);
    expect([down.x, down.w, down.h]).toEqual([right.x, edge!.w, edge!.h]);
    expect(await position()).toContain('1 / 2');
    Object.assign(states, { right, down });
  });

  it('undoes each drag and key press as one step, and keeps labels and history on reload', async () => {
    const { corner, edge, right, down } = states;
    await page.keyboard.press('Control+z');
    await expect.poll(stored).toEqual([right]);
    await page.keyboard.press('Control+z');
    await expect.poll(stored).toEqual([edge]);
    // One more undo takes back the whole edge drag: its pointermoves were not steps of their own.
    await page.keyboard.press('Control+z');
    await expect.poll(stored).toEqual([corner]);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(stored).toEqual([edge]);
    await expect.poll(history).toEqual({ undo: true, redo: true });
    await expect
      .poll(() => page.getByTestId('save-state').textContent())
      .toContain('All changes saved');

    await page.reload();
    await expect.poll(summary).toContain('2 images · 1 box');
    expect(await stored()).toEqual([edge]);
    const rect = page.getByTestId('box').locator('rect');
    const canvas = (await page.getByTestId('box-canvas').boundingBox())!;
    await expect
      .poll(async () => Number(await rect.getAttribute('x')) / canvas.width)
      .toBeCloseTo(edge!.x, 3);
    await expect.poll(history).toEqual({ undo: true, redo: true });
    await page.getByTestId('redo').click();
    await expect.poll(stored).toEqual([right]);
    await page.getByTestId('redo').click();
    await expect.poll(stored).toEqual([down]);
    await expect.poll(history).toEqual({ undo: true, redo: false });
  });

  it('moves the selected box with a finger; a pinch on it zooms and moves nothing', async () => {
    const { down } = states;
    const cdp = await page.context().newCDPSession(page);
    type TouchType = 'touchStart' | 'touchMove' | 'touchEnd';
    const touch = (type: TouchType, points: [number, number][]) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: points.map(([x, y], id) => ({ x, y, id })),
      });
    const c = await screenPoint(page, 'box-canvas', down!.x + down!.w / 2, down!.y + down!.h / 2);
    // A tap selects it (the reload cleared the selection); one finger then drags it 30 x 20 px.
    await touch('touchStart', [[c.x, c.y]]);
    await touch('touchEnd', []);
    await expect.poll(() => page.getByTestId('handle').count()).toBe(8);
    await touch('touchStart', [[c.x, c.y]]);
    for (let i = 1; i <= 5; i++) await touch('touchMove', [[c.x + 6 * i, c.y + 4 * i]]);
    await touch('touchEnd', []);
    const canvas = (await page.getByTestId('box-canvas').boundingBox())!;
    const dragged = await storedNear(
      { ...down!, x: down!.x + 30 / canvas.width, y: down!.y + 20 / canvas.height },
      2,
    );
    expect([dragged.w, dragged.h]).toEqual([down!.w, down!.h]);

    // Two fingers that land on the selected box pinch: the view zooms, the box stays.
    const p = await screenPoint(
      page,
      'box-canvas',
      dragged.x + dragged.w / 2,
      dragged.y + dragged.h / 2,
    );
    await touch('touchStart', [[p.x - 10, p.y]]);
    await touch('touchMove', [[p.x - 12, p.y]]);
    await touch('touchStart', [
      [p.x - 12, p.y],
      [p.x + 10, p.y],
    ]);
    for (let d = 20; d <= 70; d += 10) {
      await touch('touchMove', [
        [p.x - d, p.y],
        [p.x + d, p.y],
      ]);
    }
    await touch('touchEnd', []);
    await expect.poll(zoom).toBeGreaterThan(1.2);
    await expect
      .poll(() => page.getByTestId('save-state').textContent())
      .toContain('All changes saved');
    expect(await stored()).toEqual([dragged]);
    expect(await summary()).toContain('1 box ·');
  });
});
