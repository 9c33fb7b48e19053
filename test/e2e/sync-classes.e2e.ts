// Class changes travel as label-sync mutations, in Chromium against a real server: device A
// creates a dataset and syncs; device B joins it; A renames one class and merges another (which
// relabels A's box) and syncs; B's next sync takes the new class list and the relabeled box,
// and both devices hold exactly what the server holds.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { boxClasses, createDataset, drawBox } from './labeling-helpers';
import { storedDataset, syncAndWait, useLiveDevices } from './live-devices';

const devices = useLiveDevices();
let datasetId = '';
const openDevice = async () => (await devices.openDevice()).page;
const stored = (page: Page) => storedDataset(page, datasetId);
const serverState = () => devices.serverState(datasetId);

describe('class changes between two devices', () => {
  let a: Page;
  let b: Page;

  it('device A creates a dataset with a box, device B joins it', async () => {
    a = await openDevice();
    await createDataset(a, 'Class cards', 'card, back, sleeve');
    datasetId = new URL(a.url()).pathname.split('/').filter(Boolean).pop()!;
    await a.getByTestId('add-images').setInputFiles(devices.photos);
    await expect
      .poll(() => a.getByTestId('dataset-summary').textContent(), { timeout: 60_000 })
      .toContain('2 images');
    await a.getByTestId('image-strip').getByTitle('photo-0.png').click();
    await drawBox(a, { x: 0.2, y: 0.2, w: 0.5, h: 0.5 });
    await expect.poll(() => boxClasses(a)).toEqual([0]);
    await syncAndWait(a);

    b = await openDevice();
    await b.getByRole('button', { name: 'Show server datasets' }).click();
    await b.getByRole('button', { name: 'Work on Class cards here' }).click();
    await expect
      .poll(() => b.getByTestId('join-result').textContent(), { timeout: 60_000 })
      .toContain('2 images downloaded');
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
