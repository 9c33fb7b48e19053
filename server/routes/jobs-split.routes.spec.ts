import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, seedVersion, type TestApi } from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const post = (json: Record<string, unknown>) => t.user('/api/jobs', { method: 'POST', json });

describe('job split and annotation settings', () => {
  it('refuses validation and test shares that leave nothing to train on', async () => {
    const version = await seedVersion(t);
    for (const [valFraction, testFraction] of [
      [0.5, 0.5],
      [0.9, 0.2],
    ]) {
      const res = await post({
        datasetVersionId: version.id,
        task: 'detect',
        valFraction,
        testFraction,
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/together they must be below 1/);
    }
    expect(await (await t.user('/api/jobs')).json()).toMatchObject({ jobs: [], total: 0 });
  });

  it('stores the test share, stratification and annotation types with their defaults', async () => {
    const version = await seedVersion(t);
    const plain = await (await post({ datasetVersionId: version.id, task: 'detect' })).json();
    expect(plain.config).toMatchObject({
      testFraction: 0,
      stratify: true,
      annotationTypes: 'both',
    });
    const res = await post({
      datasetVersionId: version.id,
      task: 'detect',
      valFraction: 0.2,
      testFraction: 0.1,
      stratify: false,
      annotationTypes: 'boxes',
    });
    expect(res.status).toBe(201);
    expect((await res.json()).config).toMatchObject({ testFraction: 0.1, stratify: false });
  });

  it.each([
    // The dataset has boxes only: detect from outlines has nothing to learn.
    ['detect', 'outlines', 422, /from outlines only/],
    // A box cannot become an outline, whatever the dataset holds.
    ['segment', 'boxes', 400, /a box cannot become an outline/],
  ] as const)('refuses %s from %s alone', async (task, annotationTypes, status, why) => {
    const version = await seedVersion(t);
    const res = await post({ datasetVersionId: version.id, task, annotationTypes });
    expect(res.status).toBe(status);
    expect(JSON.stringify(await res.json())).toMatch(why);
  });
});
