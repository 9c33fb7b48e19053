// Removing a photo from a dataset in Chromium against a real server: device A syncs two photos,
// removes one through the labeler's "Remove photo" (with its confirmation); the page moves to
// the other photo, the summary and grid drop it, the removal waits in the label-sync log, and
// after Sync the server's live dataset no longer holds it. "Undo remove" puts a removed photo
// back, and the next Sync leaves it on the server.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createDataset, drawBox } from './labeling-helpers';
import { syncAndWait, useLiveDevices } from './live-devices';

const devices = useLiveDevices();
let datasetId = '';
let page: Page;
const summary = () => page.getByTestId('dataset-summary').textContent();
const shownCount = () => page.getByTestId('shown-count').textContent();
const serverPhotos = async () => Object.keys((await devices.serverState(datasetId)).labels).sort();

/** The label-sync mutations of this dataset still waiting for the server, as stored. */
function pendingMutations(): Promise<{ kind?: string; sha256: string }[]> {
  return page.evaluate(
    (id) =>
      new Promise((done, fail) => {
        const open = indexedDB.open('loupe');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('labelLog').objectStore('labelLog').getAll();
          request.onerror = () => fail(request.error);
          request.onsuccess = () => {
            open.result.close();
            const rows = request.result as { datasetId: string; kind?: string; sha256: string }[];
            done(rows.filter((r) => r.datasetId === id));
          };
        };
      }),
    datasetId,
  );
}

describe('removing a photo', () => {
  it('is confirmed, moves to the next photo and reaches the server with Sync', async () => {
    page = (await devices.openDevice()).page;
    await createDataset(page, 'Removal cards', 'card, back');
    datasetId = new URL(page.url()).pathname.split('/').filter(Boolean).pop()!;
    await page.getByTestId('add-images').setInputFiles(devices.photos);
    await expect.poll(summary, { timeout: 60_000 }).toContain('2 images');
    await syncAndWait(page);
    expect(await serverPhotos()).toEqual(['photo-0.png', 'photo-1.png']);

    await page.getByTestId('image-strip').getByTitle('photo-0.png').click();
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('1 / 2');
    await page.getByTestId('remove-photo').click();
    const confirm = page.getByTestId('remove-confirm');
    expect(await confirm.textContent()).toContain('removed from this dataset on every device');
    // "Keep it" changes nothing.
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect(await summary()).toContain('2 images');

    await page.getByTestId('remove-photo').click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(summary).toContain('1 image ·');
    await expect.poll(shownCount).toBe('1 of 1 shown');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('1 / 1');
    expect(await page.getByTestId('image-strip').getByTitle('photo-0.png').count()).toBe(0);
    expect(await page.getByTestId('image-strip').getByTitle('photo-1.png').count()).toBe(1);
    const pending = await pendingMutations();
    expect(pending.map((m) => m.kind)).toEqual(['remove']);

    // Still removed after a reload: it was stored, not only hidden.
    await page.reload();
    await expect.poll(summary).toContain('1 image ·');

    await syncAndWait(page);
    expect(await serverPhotos()).toEqual(['photo-1.png']);
    expect(await pendingMutations()).toEqual([]);
  });

  it('can be undone: the photo comes back with its labels and stays on the server', async () => {
    await drawBox(page, { x: 0.2, y: 0.2, w: 0.5, h: 0.5 });
    await expect.poll(summary).toContain('1 image · 1 box');
    await page.getByTestId('remove-photo').click();
    await page.getByTestId('remove-confirm').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(summary).toContain('0 images');
    await page.getByTestId('undo-remove').click();
    await expect.poll(summary).toContain('1 image · 1 box');
    await expect.poll(() => page.getByTestId('image-position').textContent()).toContain('1 / 1');
    expect(await page.getByTestId('box').count()).toBe(1);
    await syncAndWait(page);
    const server = await devices.serverState(datasetId);
    expect(Object.keys(server.labels)).toEqual(['photo-1.png']);
    expect(server.labels['photo-1.png']?.boxes).toHaveLength(1);
    // The pull after the push left it here too.
    await page.reload();
    await expect.poll(summary).toContain('1 image · 1 box');
  });
});
