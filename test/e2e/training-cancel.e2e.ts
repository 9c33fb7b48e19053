import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatasetVersion, EpochMetrics, Job } from '../../server/contract';
import { launchChromium, PHONE } from './browser';
import { generateCards, startLoupe } from './loupe-server';

let loupe: Awaited<ReturnType<typeof startLoupe>>;
let browser: Browser;

beforeAll(async () => {
  loupe = await startLoupe();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

/** Puts a labeled dataset on the server through the same API the PWA's sync uses. */
async function seedDataset() {
  const cards = generateCards(6, 3);
  const send = (path: string, init: RequestInit) =>
    fetch(loupe.url + path, {
      ...init,
      headers: { authorization: `Bearer ${loupe.tokens.userToken}`, ...init.headers },
    });
  const images = cards.images.map((image) => {
    const bytes = readFileSync(cards.path(image.file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return {
      bytes,
      entry: {
        sha256,
        fileName: image.file,
        width: image.width,
        height: image.height,
        boxes: image.boxes,
      },
    };
  });
  for (const { bytes, entry } of images) {
    await send(`/api/blobs/${entry.sha256}`, { method: 'PUT', body: bytes });
  }
  const res = await send('/api/dataset-versions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'cancel me',
      classes: cards.classes,
      images: images.map((i) => i.entry),
    }),
  });
  return (await res.json()) as DatasetVersion;
}

it('cancels a running training from the job page; the runner stops and takes the next job', async () => {
  const version = await seedDataset();
  const res = await fetch(`${loupe.url}/api/jobs`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${loupe.tokens.userToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ datasetVersionId: version.id, task: 'detect', epochs: 300, imgsz: 64 }),
  });
  const job = (await res.json()) as Job;

  const page = await browser.newPage(PHONE);
  await page.goto(`${loupe.url}/jobs/${job.id}?token=${loupe.tokens.userToken}`);
  await expect
    .poll(() => page.getByTestId('job-status').textContent(), { timeout: 120_000 })
    .toBe('training');
  await expect
    .poll(() => loupe.api<EpochMetrics[]>(`/api/jobs/${job.id}/epochs`).then((e) => e.length), {
      timeout: 120_000,
    })
    .toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel training' }).click();
  await expect
    .poll(() => page.getByTestId('job-status').textContent(), { timeout: 120_000 })
    .toBe('cancelled');

  const ended = await loupe.api<Job>(`/api/jobs/${job.id}`);
  expect(ended).toMatchObject({ status: 'cancelled', modelVersionId: null });
  expect(ended.error).toMatch(/Cancelled/);
  const epochs = await loupe.api<EpochMetrics[]>(`/api/jobs/${job.id}/epochs`);
  expect(epochs.length).toBeLessThan(300);

  // The runner is free again: a second job is leased and runs.
  const next = await fetch(`${loupe.url}/api/jobs`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${loupe.tokens.userToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ datasetVersionId: version.id, task: 'detect', epochs: 1, imgsz: 64 }),
  });
  const second = (await next.json()) as Job;
  await expect
    .poll(() => loupe.api<Job>(`/api/jobs/${second.id}`).then((j) => j.status), {
      timeout: 180_000,
    })
    .toBe('completed');
});
