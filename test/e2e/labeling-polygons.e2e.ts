// The polygon editor in real Chromium on a phone-sized page: outlines drawn by tapping vertices
// and closed by tapping the first one or pressing Enter; a polygon selected, a vertex dragged, a
// vertex added on an edge and deleted, vertices moved with the keyboard, the class changed and
// the polygon deleted; every step stored, undoable, and still there after a reload.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateCards } from './loupe-server';
import {
  createTaskDataset,
  polygonsOnPage,
  screenPoint,
  openPhonePage,
  type LabelingServer,
  tapVertices,
} from './labeling-helpers';

let loupe: LabelingServer;
let page: Page;
const cards = generateCards(1, 21);
const summary = () => page.getByTestId('dataset-summary').textContent();
const polygons = () => polygonsOnPage(page);

openPhonePage((l, p) => {
  loupe = l;
  page = p;
});

describe('polygon editor', () => {
  it('draws outlines by tapping vertices, closed by the first vertex or Enter', async () => {
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createTaskDataset(page, 'Outlines', 'card, corner', 'Polygons (segment)');
    await page.getByTestId('add-images').setInputFiles(cards.path(cards.images[0]!.file));
    await expect.poll(summary).toContain('1 image ·');

    // A triangle closed by tapping its first vertex again.
    await tapVertices(page, [
      [0.1, 0.1],
      [0.4, 0.1],
      [0.25, 0.4],
      [0.1, 0.1],
    ]);
    await expect.poll(polygons).toEqual([
      {
        classIndex: 0,
        points: [
          [0.1, 0.1],
          [0.4, 0.1],
          [0.25, 0.4],
        ],
      },
    ]);
    await expect.poll(summary).toContain('1 polygon ·');

    // Escape clears the selection; a quadrilateral of class 2, closed with Enter.
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await tapVertices(page, [
      [0.5, 0.5],
      [0.9, 0.5],
      [0.9, 0.9],
      [0.5, 0.9],
    ]);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await polygons()).map((p) => p.classIndex)).toEqual([0, 1]);
    await expect.poll(summary).toContain('2 polygons');
  });

  it('selects, drags a vertex, adds one on an edge, deletes it, with mouse and keys', async () => {
    await page.keyboard.press('Escape');
    // Tap inside the triangle: selected, its vertices and edge midpoints shown.
    const inside = await screenPoint(page, 'polygon-canvas', 0.25, 0.2);
    await page.mouse.click(inside.x, inside.y);
    await expect.poll(() => page.getByTestId('vertex').count()).toBe(3);

    // Drag its third vertex from (0.25, 0.4) to (0.3, 0.45).
    const from = await screenPoint(page, 'polygon-canvas', 0.25, 0.4);
    const to = await screenPoint(page, 'polygon-canvas', 0.3, 0.45);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await polygons())[0]!.points[2]).toEqual([0.3, 0.45]);

    // Tap the first edge's midpoint: a fourth vertex at (0.25, 0.1); Delete removes it again.
    await page.getByTestId('midpoint').first().click();
    await expect.poll(async () => (await polygons())[0]!.points).toHaveLength(4);
    expect((await polygons())[0]!.points[1]).toEqual([0.25, 0.1]);
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await polygons())[0]!.points).toHaveLength(3);

    // Keyboard: ] picks the first vertex, Shift+ArrowDown moves it 10 px down each press.
    const before = (await polygons())[0]!.points[0]!;
    const height = (await page.getByTestId('polygon-canvas').boundingBox())!.height;
    await page.keyboard.press(']');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowDown');
    await expect
      .poll(async () => (await polygons())[0]!.points[0]![1])
      .toBeCloseTo(before[1]! + 30 / height, 1);
    expect((await polygons())[0]!.points[0]![0]).toBe(before[0]);

    // Class by number key, then the polygon itself: Escape drops the vertex, Delete the polygon.
    await page.keyboard.press('2');
    await expect.poll(async () => (await polygons()).map((p) => p.classIndex)).toEqual([1, 1]);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await polygons()).length).toBe(1);
    await expect.poll(summary).toContain('1 polygon ·');

    // Undo brings the deleted polygon back, and it survives a reload.
    await page.keyboard.press('Control+z');
    await expect.poll(summary).toContain('2 polygons');
    const kept = await polygons();
    await page.reload();
    await expect.poll(summary).toContain('2 polygons');
    await expect.poll(polygons).toEqual(kept);
  });
});
