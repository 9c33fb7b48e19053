import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EpochMetrics, Job } from '../../server/contract';
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

it('cancels a running training from the job page; the runner stops and takes the next job', async () => {
  const version = await loupe.seed(generateCards(6, 3), 'cancel me');
  const job = await loupe.post<Job>('/api/jobs', {
    datasetVersionId: version.id,
    task: 'detect',
    epochs: 300,
    imgsz: 64,
  });

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
  const second = await loupe.post<Job>('/api/jobs', {
    datasetVersionId: version.id,
    task: 'detect',
    epochs: 1,
    imgsz: 64,
  });
  await expect
    .poll(() => loupe.api<Job>(`/api/jobs/${second.id}`).then((j) => j.status), {
      timeout: 180_000,
    })
    .toBe('completed');
});
