import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { JobPage, ModelVersion } from '../../server/contract';
import { generateCards, openLoupePage, type Loupe } from './loupe-server';

/** Two tiny CPU trainings, so the registry has two versions to rank and compare. */
const IMGSZ = 64;
const RUNS = [
  { epochs: 1, seed: 1 },
  { epochs: 2, seed: 2 },
];
const MAP = 'metrics/mAP50-95(B)';

let loupe: Loupe;
let page: Page;
const cards = generateCards(8, 21);

openLoupePage((l, p) => {
  loupe = l;
  page = p;
});

async function snap(name: string) {
  const dir = process.env.LOUPE_E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `registry-${name}.png`), fullPage: true });
}

const text = async (testId: string) => (await page.getByTestId(testId).textContent())?.trim();

/** What the registry's validation.json says about a model's ONNX speed (ms), if anything. */
async function onnxMs(model: ModelVersion) {
  const report = await loupe
    .api<{ onnxBenchmark?: { medianMs: number } | null }>(
      `/api/jobs/${model.jobId}/artifacts/validation.json`,
    )
    .catch(() => null);
  return report?.onnxBenchmark?.medianMs ?? Infinity;
}

describe('dashboard, registry and comparison over real trainings', () => {
  let models: ModelVersion[] = [];

  it('follows both jobs live on the dashboard until they complete, with matching counts', async () => {
    const version = await loupe.seed(cards);
    for (const run of RUNS) {
      await loupe.post('/api/jobs', {
        datasetVersionId: version.id,
        task: 'detect',
        model: 'yolo11n',
        imgsz: IMGSZ,
        batch: 4,
        ...run,
      });
    }
    await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
    await expect.poll(() => new URL(page.url()).searchParams.get('token')).toBeNull();
    await page.goto(`${loupe.url}/jobs`);

    await expect.poll(() => text('summary-total')).toBe('2');
    // The runner trains one job at a time, so the second waits while the first runs.
    await expect.poll(() => page.getByTestId('active-job').count()).toBeGreaterThan(0);
    const completedAtFirst = Number(await text('summary-completed'));
    expect(completedAtFirst).toBeLessThan(2);
    const etaTexts = new Set<string>();
    // No reload from here: only the live event streams can move the counts.
    for (;;) {
      const etas = await page.getByTestId('active-eta').allTextContents();
      etas.forEach((t) => etaTexts.add(t.trim()));
      if ((await text('summary-completed')) === '2') break;
      const { jobs } = await loupe.api<JobPage>('/api/jobs');
      const failed = jobs.find((j) => j.status === 'failed');
      if (failed) throw new Error(`a training failed: ${failed.error}`);
      await page.waitForTimeout(500);
    }
    await snap('dashboard');
    const { jobs, total } = await loupe.api<JobPage>('/api/jobs');
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    await expect.poll(() => text('summary-active')).toBe('0');
    expect(await text('summary-total')).toBe(String(total));
    expect(await page.getByTestId('active-job').count()).toBe(0);
    // While training ran, the page said what it knew about the time left.
    expect([...etaTexts].some((t) => t === 'estimating…' || /left/.test(t))).toBe(true);

    models = await loupe.api<ModelVersion[]>('/api/models');
    expect(models).toHaveLength(2);
    const best = Math.max(...models.map((m) => m.metadata.metrics[MAP] ?? -1));
    await expect.poll(() => text('summary-best')).toBe(best.toFixed(3));

    // The history lists both; a status filter hides them.
    await expect.poll(() => page.getByTestId('job-history').locator('li').count()).toBe(2);
    await page.getByTestId('history-status').selectOption('failed');
    expect(await page.getByTestId('job-history').locator('li').count()).toBe(0);
    await page.getByTestId('history-status').selectOption('completed');
    expect(await page.getByTestId('job-history').locator('li').count()).toBe(2);
  });

  it('ranks the versions on the leaderboard in the order of their metrics', async () => {
    await page.goto(`${loupe.url}/models`);
    const entries = page.getByTestId('leaderboard-detect').getByTestId('leaderboard-entry');
    await expect.poll(() => entries.count()).toBe(2);
    // Ties go to the faster ONNX model, then the newer one: the same rule, from the API's data.
    const withSpeed = await Promise.all(
      models.map(async (m) => ({ m, map: m.metadata.metrics[MAP] ?? -1, ms: await onnxMs(m) })),
    );
    const expected = withSpeed
      .sort((a, b) => b.map - a.map || a.ms - b.ms || b.m.createdAt.localeCompare(a.m.createdAt))
      .map((x) => x.m);
    // The speeds load after the list; wait until the page ranks with them.
    await expect
      .poll(() => entries.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-model-id'))))
      .toEqual(expected.map((m) => m.id));
    const shown = await entries.getByTestId('leaderboard-score').allTextContents();
    expect(shown).toEqual(expected.map((m) => (m.metadata.metrics[MAP] ?? NaN).toFixed(3)));
    await snap('registry');

    // Searching by the job narrows the list to that version.
    await page.getByTestId('model-search').fill(models[0]!.jobId);
    await expect.poll(() => page.getByTestId('model-row').count()).toBe(1);
    await page.getByTestId('model-search').fill('');
    await expect.poll(() => page.getByTestId('model-row').count()).toBe(2);
  });

  it('compares the two versions side by side', async () => {
    const checks = page.getByTestId('compare-check');
    await checks.nth(0).check();
    await checks.nth(1).check();
    await page.getByTestId('compare-link').click();
    await page.waitForURL(/\/models\/compare\?ids=/);
    const listed = page.getByTestId('compared-versions').locator('li');
    await expect.poll(() => listed.count()).toBe(2);
    const ids = await listed.evaluateAll((nodes) =>
      nodes.map((n) => n.getAttribute('data-model-id')),
    );
    expect(new Set(ids)).toEqual(new Set(models.map((m) => m.id)));
    // One column per version in every table, and one curve per version.
    const mapRow = page.getByTestId('compare-metrics').locator(`tr[data-key="${MAP}"] td`);
    const values = await mapRow.allTextContents();
    expect(values).toEqual(
      ids.map((id) => (models.find((m) => m.id === id)?.metadata.metrics[MAP] ?? NaN).toFixed(3)),
    );
    const sizes = page.getByTestId('compare-specs').locator('tr[data-key="onnx-bytes"] td');
    expect(await sizes.count()).toBe(2);
    await expect.poll(() => page.getByTestId('curves-chart').getAttribute('data-series')).toBe('2');
    await snap('compare');
  });

  it('shows a version’s training, metrics, speed and files on its page', async () => {
    const model = models[0]!;
    await page.goto(`${loupe.url}/models/${model.id}`);
    await expect.poll(() => text('training-config')).toContain(`yolo11n`);
    expect(await text('training-config')).toContain(`${IMGSZ}px`);
    await expect
      .poll(() =>
        page.getByTestId('model-metrics').locator(`tr[data-key="${MAP}"] td`).textContent(),
      )
      .toBe((model.metadata.metrics[MAP] ?? NaN).toFixed(3));
    await expect.poll(() => text('model-benchmarks')).toContain('ONNX fp32');
    const files = await page
      .getByTestId('model-downloads')
      .getByRole('button')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-file')));
    expect(files).toEqual(expect.arrayContaining(['model.onnx', 'best.pt']));
    expect(await page.getByTestId('model-channels').count()).toBe(1);
    await snap('model');
  });
});
