import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { DatasetVersion, Job, ModelVersion } from '../../server/contract';
import { generateCards, openLoupePage, type Loupe } from './loupe-server';
import { plural } from '../../web/lib/text/wording';

/**
 * The wizard trains on two synced datasets at once: their classes side by side, one renamed
 * onto the other, merged on the server, a train/val/test split, a refused base .pt, and a real
 * one-epoch CPU training whose test split is measured apart.
 */
let loupe: Loupe;
let page: Page;

openLoupePage((l, p) => {
  loupe = l;
  page = p;
});

describe('training wizard: several datasets, a class mapping, a test split', () => {
  it('merges two datasets with a mapping and trains one epoch on the result', async () => {
    const first = await loupe.seed(generateCards(6, 31), 'shop A');
    const other = generateCards(6, 32);
    await loupe.seed({ ...other, classes: ['Card'] }, 'shop B');

    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await expect.poll(() => new URL(page.url()).searchParams.get('token')).toBeNull();
    await page.goto(`${loupe.url}/train?dataset=${first.id}`);

    const picker = page.getByTestId('dataset-versions');
    await picker.getByLabel(/shop B/).check();
    const mapping = page.getByTestId('class-mapping');
    await expect.poll(() => mapping.getByRole('textbox').count()).toBe(2);
    // Side by side, each keeps its own name until mapped: two training classes.
    await expect
      .poll(() => page.getByTestId('target-classes').textContent())
      .toContain('card, Card');
    await page.getByLabel('Target class for Card of shop B').fill('card');
    await expect
      .poll(() => page.getByTestId('target-classes').textContent())
      .toContain('Training classes (1): card');
    await page.getByTestId('merge-name').fill('both shops');
    await page.getByRole('button', { name: 'Next' }).click();

    // Model step: the merged version is what the job trains on.
    await expect.poll(() => page.getByTestId('annotation-note').textContent()).toMatch(/Detect/);
    const versions = await loupe.api<DatasetVersion[]>('/api/dataset-versions');
    const merged = versions.find((v) => v.name === 'both shops');
    expect(merged).toMatchObject({ classes: ['card'], imageCount: 12, task: 'detect' });

    // A .pt whose hash no operator allowed is refused, in the server's own words.
    await page.getByTestId('weights-file').setInputFiles({
      name: 'mystery.pt',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('not a checkpoint anyone trusts'),
    });
    await expect.poll(() => page.getByTestId('weights-error').textContent()).toMatch(/allow/i);

    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Image size').fill('64');
    await page.getByLabel('Images per batch').fill('4');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('test-fraction').fill('0.2');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByTestId('review').textContent()).toContain('20% test');
    // The real counts, from the server's split, before anything is queued.
    await expect
      .poll(() => page.getByTestId('split-counts').textContent())
      .toMatch(/\d+ photos: \d+ train · \d+ validation · \d+ test/);
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.waitForURL(/\/jobs\//);

    const jobId = page.url().split('/').at(-1) ?? '';
    const job = await loupe.api<Job>(`/api/jobs/${jobId}`);
    expect(job.origin === 'queue' && job.config).toMatchObject({
      datasetVersionId: merged!.id,
      testFraction: 0.2,
      stratify: true,
      annotationTypes: 'both',
    });
    await expect
      .poll(() => page.getByTestId('job-status').textContent(), { timeout: 300_000 })
      .toBe('completed');
    await expect.poll(() => page.getByTestId('epoch-resources').textContent()).toMatch(/per epoch/);
    const validation = await loupe.api<{ test?: { images: number; metrics: object } }>(
      `/api/jobs/${jobId}/artifacts/validation.json`,
    );
    expect(validation.test?.images).toBeGreaterThan(0);
    expect(validation.test?.metrics).toHaveProperty(['metrics/mAP50-95(B)']);

    // The model page shows the held-out numbers next to the validation ones.
    const models = await loupe.api<ModelVersion[]>('/api/models');
    const model = models.find((m) => m.jobId === jobId);
    await page.goto(`${loupe.url}/models/${model!.id}`);
    const testTable = page.getByTestId('model-test-metrics');
    await expect.poll(() => testTable.locator('thead').textContent()).toContain('test');
    const row = testTable.locator('tr[data-key="metrics/mAP50-95(B)"] td');
    await expect.poll(() => row.count()).toBe(2);
    expect(await page.getByTestId('model-test-split').textContent()).toContain(
      plural(validation.test!.images, 'photo'),
    );
  }, 400_000);
});
