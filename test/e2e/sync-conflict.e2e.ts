// Two devices on one live dataset, in Chromium against a real server: device A creates it and
// syncs; device B joins it (same dataset id) and sees A's box; both change that box offline in
// different ways; A syncs first, B second. B's page shows the conflict with both edits (nothing
// dropped), B keeps its own edit, the server takes it, and A converges on the next sync.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LabelConflict, LiveDatasetSummary, LiveLabels } from '../../server/contract';
import { boxClasses, createDataset, drawBox, screenPoint } from './labeling-helpers';
import { storedDataset, syncAndWait, syncStatus as status, useLiveDevices } from './live-devices';

const devices = useLiveDevices();
const { api, openDevice } = devices;
let datasetId = '';

/** The server's labels of every image of the live dataset, by file name. */
const serverLabels = async (): Promise<Record<string, LiveLabels>> =>
  (await devices.serverState(datasetId)).labels;

/** What a device stored in IndexedDB for the dataset, by file name, as the server holds it. */
const storedLabels = async (page: Page) => (await storedDataset(page, datasetId)).labels;

const summary = (page: Page) => page.getByTestId('dataset-summary').textContent();
const saved = (page: Page) => page.getByTestId('save-state').textContent();

/** Shows the photo in the editor, whatever order this device lists its photos in. */
const showPhoto = (page: Page, fileName: string) =>
  page.getByTestId('image-strip').getByTitle(fileName).click();

/** Taps the one box on the photo and gives it another class. */
async function setBoxClass(page: Page, classIndex: number) {
  const centre = await screenPoint(page, 'box-canvas', 0.45, 0.45);
  await page.mouse.click(centre.x, centre.y);
  await page.getByTestId('box-class').selectOption(String(classIndex));
  await expect.poll(() => boxClasses(page)).toEqual([classIndex]);
  await expect.poll(() => saved(page)).toBe('All changes saved on this device');
}

describe('two devices on one live dataset', () => {
  let a: { context: BrowserContext; page: Page };
  let b: { context: BrowserContext; page: Page };

  it('device A creates a dataset with a box and syncs it', async () => {
    a = await openDevice();
    await createDataset(a.page, 'Shared cards', 'card, back, sleeve');
    datasetId = new URL(a.page.url()).pathname.split('/').filter(Boolean).pop()!;
    await a.page.getByTestId('add-images').setInputFiles(devices.photos);
    await expect.poll(() => summary(a.page), { timeout: 60_000 }).toContain('2 images');
    await showPhoto(a.page, 'photo-0.png');
    await drawBox(a.page, { x: 0.2, y: 0.2, w: 0.5, h: 0.5 });
    await expect.poll(() => boxClasses(a.page)).toEqual([0]);
    await syncAndWait(a.page);

    const live = await api<LiveDatasetSummary[]>('/api/label-sync');
    expect(live).toMatchObject([{ datasetId, name: 'Shared cards', imageCount: 2 }]);
    expect((await serverLabels())['photo-0.png']?.boxes.map((x) => x.classIndex)).toEqual([0]);
  });

  it('device B joins the same dataset and sees the box', async () => {
    b = await openDevice();
    await b.page.getByRole('button', { name: 'Show server datasets' }).click();
    await b.page.getByRole('button', { name: 'Work on Shared cards here' }).click();
    await expect
      .poll(() => b.page.getByTestId('join-result').textContent(), { timeout: 60_000 })
      .toContain('2 images downloaded');
    await b.page.getByTestId('join-result').getByRole('link', { name: 'Open it' }).click();
    // The same id: B's edits go to A's live dataset, not to a copy.
    await b.page.waitForURL(`**/datasets/${datasetId}`);
    await expect.poll(() => summary(b.page)).toContain('2 images · 1 box');
    await showPhoto(b.page, 'photo-0.png');
    await expect.poll(() => boxClasses(b.page)).toEqual([0]);
    expect(await storedLabels(b.page)).toEqual(await serverLabels());
  });

  it('keeps both offline edits of one box: the later sync becomes a conflict on B', async () => {
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    await setBoxClass(a.page, 1); // back
    await setBoxClass(b.page, 2); // sleeve
    for (const { page } of [a, b]) {
      await page.getByRole('button', { name: 'Sync', exact: true }).click();
      await expect
        .poll(() => page.getByTestId('sync-queue').getAttribute('data-state'))
        .toBe('waiting');
    }

    await a.context.setOffline(false);
    await expect.poll(() => status(a.page), { timeout: 60_000 }).toContain('Synced');
    expect((await serverLabels())['photo-0.png']?.boxes[0]?.classIndex).toBe(1);

    await b.context.setOffline(false);
    await expect.poll(() => status(b.page), { timeout: 60_000 }).toContain('Synced');
    // The server kept A's edit; B's is kept beside it as the conflict, shown on B's page.
    const conflict = b.page.getByTestId('label-conflict');
    await expect.poll(() => conflict.count()).toBe(1);
    expect(await conflict.getByTestId('conflict-current').textContent()).toContain('back');
    expect(await conflict.getByTestId('conflict-incoming').textContent()).toContain('sleeve');
    const [kept] = await api<LabelConflict[]>(`/api/label-sync/${datasetId}/conflicts`);
    expect(kept?.labels.boxes.map((x) => x.classIndex)).toEqual([2]);
    expect(kept?.currentLabels.boxes.map((x) => x.classIndex)).toEqual([1]);
    // B now shows what the server holds; its own edit waits in the panel.
    await expect.poll(() => boxClasses(b.page)).toEqual([1]);
  });

  it('B keeps its own edit, the server takes it, and A converges on its next sync', async () => {
    const [conflict] = await api<LabelConflict[]>(`/api/label-sync/${datasetId}/conflicts`);
    await b.page.getByRole('button', { name: 'Keep the conflicting edit' }).click();
    await expect
      .poll(() => api<LabelConflict[]>(`/api/label-sync/${datasetId}/conflicts`), {
        timeout: 60_000,
      })
      .toEqual([]);
    await expect.poll(async () => (await serverLabels())['photo-0.png']).toEqual(conflict!.labels);
    await expect.poll(() => boxClasses(b.page)).toEqual([2]);
    await expect.poll(() => b.page.getByTestId('label-conflict').count()).toBe(0);

    await syncAndWait(a.page);
    await expect.poll(() => boxClasses(a.page)).toEqual([2]);
    const server = await serverLabels();
    expect(await storedLabels(a.page)).toEqual(server);
    expect(await storedLabels(b.page)).toEqual(server);
  });
});
