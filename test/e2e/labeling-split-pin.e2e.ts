// Pinning a photo to a split on a phone: the Split menu below the editor pins the shown photo to
// train, validation or test; the dataset browser marks it at once (and counts and filters pins),
// Undo takes a pin back like any label edit, a reload keeps it, and Sync carries it to the
// server, whose split (the one a job gets) puts the photo where it was pinned.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { DatasetManifest, DatasetVersion, SplitPreview } from '../../server/contract';
import { createDataset, noisePhotos, openPhonePage, type LabelingServer } from './labeling-helpers';

let loupe: LabelingServer;
let page: Page;
openPhonePage((server, p) => {
  loupe = server;
  page = p;
});

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(loupe.url + path, {
    ...init,
    headers: {
      authorization: `Bearer ${loupe.tokens.userToken}`,
      'content-type': 'application/json',
    },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const counts = () => page.getByTestId('split-counts').textContent();
const pin = () => page.getByTestId('split-pin');
/** The shown photo's cell in the dataset browser: its name and the split marker it carries. */
const activeCell = () => page.getByTestId('image-strip').locator('button.cell.active');
const marker = async () => {
  const split = activeCell().locator('.split');
  if (!(await split.count())) return null;
  return {
    side: await split.getAttribute('data-split'),
    text: (await split.textContent())?.trim(),
  };
};

describe('pinning a photo to a split', () => {
  const names: string[] = [];

  it('pins the shown photo to validation, and the browser marks and counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-split-pin-'));
    const { files } = await noisePhotos(dir, 6, { width: 160, height: 120, mean: 80, sigma: 30 });
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await createDataset(page, 'Pinned cards', 'card');
    await page.getByTestId('add-images').setInputFiles(files);
    await expect
      .poll(() => page.getByTestId('dataset-summary').textContent())
      .toContain('6 images');
    await expect.poll(counts).not.toContain('pinned');

    names.push((await activeCell().getAttribute('title')) ?? '');
    expect(await pin().inputValue()).toBe('');
    await pin().selectOption('val');
    await expect.poll(marker).toEqual({ side: 'val', text: 'val · pin' });
    await expect.poll(counts).toContain('· 1 pinned.');

    await page.getByTestId('split-filter').selectOption('pinned');
    await expect.poll(() => page.getByTestId('shown-count').textContent()).toBe('1 of 6 shown');
    await page.getByTestId('split-filter').selectOption('');
    await expect.poll(() => page.getByTestId('shown-count').textContent()).toBe('6 of 6 shown');
  });

  it('pins another photo to test; Undo takes a pin back, and a reload keeps the pins', async () => {
    await page.getByTestId('next-photo').tap();
    await expect.poll(() => activeCell().getAttribute('title')).not.toBe(names[0]);
    names.push((await activeCell().getAttribute('title')) ?? '');
    await pin().selectOption('test');
    await expect.poll(marker).toEqual({ side: 'test', text: 'test · pin' });
    await expect.poll(counts).toContain('· 1 test · 2 pinned.');

    // A pin is a label edit: Undo takes it back, Redo puts it again.
    await page.getByTestId('undo').tap();
    await expect.poll(() => pin().inputValue()).toBe('');
    await expect.poll(counts).toContain('· 1 pinned.');
    await page.getByTestId('redo').tap();
    await expect.poll(() => pin().inputValue()).toBe('test');

    await expect
      .poll(() => page.getByTestId('save-state').textContent())
      .toContain('All changes saved');
    await page.reload();
    await expect.poll(counts).toContain('· 1 test · 2 pinned.');
    // The reloaded page opens at the first photo.
    await expect.poll(() => activeCell().getAttribute('title')).toBe(names[0]);
    await expect.poll(() => pin().inputValue()).toBe('val');
    await page.getByTestId('next-photo').tap();
    await expect.poll(() => activeCell().getAttribute('title')).toBe(names[1]);
    await expect.poll(() => pin().inputValue()).toBe('test');
  });

  it("syncs the pins: the server's version carries them, and its split honours them", async () => {
    await page.getByRole('button', { name: 'Sync' }).tap();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Synced');
    const versions = await api<DatasetVersion[]>('/api/dataset-versions');
    const version = versions.find((v) => v.name === 'Pinned cards')!;
    const manifest = await api<DatasetManifest>(`/api/dataset-versions/${version.id}/manifest`);
    const pins = Object.fromEntries(
      manifest.images.filter((i) => i.split).map((i) => [i.fileName, i.split]),
    );
    expect(pins).toEqual({ [names[0]!]: 'val', [names[1]!]: 'test' });

    // A job with no test share still tests the photo pinned there: the pin wins.
    const preview = await api<SplitPreview>('/api/jobs/split-preview', {
      method: 'POST',
      body: JSON.stringify({ datasetVersionId: version.id, task: 'detect', testFraction: 0 }),
    });
    expect(preview.pinned).toEqual({ train: 0, val: 1, test: 1 });
    expect(preview.counts.test).toBe(1);
  });
});
