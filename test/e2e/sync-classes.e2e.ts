// Class changes travel as label-sync mutations, in Chromium against a real server: device A
// creates a dataset and syncs; device B joins it; A renames one class and merges another (which
// relabels A's box) and syncs; B's next sync takes the new class list and the relabeled box,
// and both devices hold exactly what the server holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelChanges, LiveLabels } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import {
  boxClasses,
  createDataset,
  drawBox,
  noisePhotos,
  startLabelingServer,
} from './labeling-helpers';

let server: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
const photoDir = mkdtempSync(join(tmpdir(), 'loupe-classes-photos-'));
const photos: string[] = [];
let datasetId = '';

const changes = async () => {
  const res = await fetch(`${server.url}/api/label-sync/${datasetId}/changes?since=0`, {
    headers: { authorization: `Bearer ${server.tokens.userToken}` },
  });
  return (await res.json()) as LabelChanges;
};

/** The dataset's classes and labels as a device stored them in IndexedDB. */
function stored(page: Page): Promise<{ classes: string[]; labels: Record<string, LiveLabels> }> {
  return page.evaluate(
    (id) =>
      new Promise((done, fail) => {
        const open = indexedDB.open('loupe');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['datasets', 'annotations']);
          const dataset = tx.objectStore('datasets').get(id);
          const rows = tx.objectStore('annotations').index('datasetId').getAll(id);
          tx.oncomplete = () => {
            open.result.close();
            const list = rows.result as (LiveLabels & { fileName: string })[];
            done({
              classes: (dataset.result as { classes: string[] }).classes,
              labels: Object.fromEntries(
                list.map((r) => [
                  r.fileName,
                  { boxes: r.boxes, polygons: r.polygons ?? [], imageClass: r.imageClass ?? null },
                ]),
              ),
            });
          };
        };
      }),
    datasetId,
  );
}

async function serverState() {
  const c = await changes();
  return {
    classes: c.classes,
    labels: Object.fromEntries(c.images.map((i) => [i.fileName, i.labels])),
  };
}

async function openDevice() {
  const context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
  return page;
}

const status = (page: Page) => page.getByRole('status').textContent();

async function syncAndWait(page: Page) {
  await page.getByRole('button', { name: 'Sync', exact: true }).click();
  await expect.poll(() => status(page), { timeout: 60_000 }).toContain('Synced');
}

beforeAll(async () => {
  const size = { width: 320, height: 240, mean: 90, sigma: 40 };
  photos.push(...(await noisePhotos(photoDir, 2, size)).files);
  server = await startLabelingServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(photoDir, { recursive: true, force: true });
});

describe('class changes between two devices', () => {
  let a: Page;
  let b: Page;

  it('device A creates a dataset with a box, device B joins it', async () => {
    a = await openDevice();
    await createDataset(a, 'Class cards', 'card, back, sleeve');
    datasetId = new URL(a.url()).pathname.split('/').filter(Boolean).pop()!;
    await a.getByTestId('add-images').setInputFiles(photos);
    await expect
      .poll(() => a.getByTestId('dataset-summary').textContent(), { timeout: 60_000 })
      .toContain('2 image(s)');
    await a.getByTestId('image-strip').getByTitle('photo-0.png').click();
    await drawBox(a, { x: 0.2, y: 0.2, w: 0.5, h: 0.5 });
    await expect.poll(() => boxClasses(a)).toEqual([0]);
    await syncAndWait(a);

    b = await openDevice();
    await b.getByRole('button', { name: 'Show server datasets' }).click();
    await b.getByRole('button', { name: 'Work on Class cards here' }).click();
    await expect
      .poll(() => b.getByTestId('join-result').textContent(), { timeout: 60_000 })
      .toContain('2 image(s) downloaded');
    expect(await stored(b)).toEqual(await serverState());
  });

  it('A renames "back" and merges "card" into "sleeve"; B takes both on its next sync', async () => {
    const classes = a.getByTestId('class-manager');
    await classes.locator('summary').click();
    await classes.getByLabel('Name of class 2').fill('reverse');
    await classes.getByLabel('Name of class 2').press('Enter');
    await expect.poll(async () => (await stored(a)).classes).toEqual(['card', 'reverse', 'sleeve']);
    const merge = classes
      .locator('form')
      .filter({ has: a.getByRole('button', { name: 'Merge' }) })
      .locator('select');
    await merge.nth(0).selectOption({ label: 'card' });
    await merge.nth(1).selectOption({ label: 'sleeve' });
    await classes.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(async () => (await stored(a)).classes).toEqual(['reverse', 'sleeve']);
    await syncAndWait(a);
    const server = await serverState();
    expect(server.classes).toEqual(['reverse', 'sleeve']);
    // The server relabeled its copy: the box of "card" is "sleeve" (index 1) now.
    expect(server.labels['photo-0.png']?.boxes.map((x) => x.classIndex)).toEqual([1]);

    expect((await stored(b)).classes).toEqual(['card', 'back', 'sleeve']);
    await b.getByTestId('join-result').getByRole('link', { name: 'Open it' }).click();
    await b.waitForURL(`**/datasets/${datasetId}`);
    await syncAndWait(b);
    await expect.poll(() => stored(b)).toEqual(server);
    expect(await stored(a)).toEqual(server);
    await b.reload();
    await b.getByTestId('image-strip').getByTitle('photo-0.png').click();
    await expect.poll(() => boxClasses(b)).toEqual([1]);
    await b.getByTestId('class-manager').locator('summary').click();
    await expect
      .poll(() => b.getByTestId('class-manager').getByLabel('Name of class 1').inputValue())
      .toBe('reverse');
  });
});
