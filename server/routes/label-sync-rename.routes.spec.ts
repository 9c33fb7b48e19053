import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabelChanges, LiveDatasetSummary } from '../contract';
import { labelSyncClient, PHONE, sha } from '../testing/label-sync-client';
import { createTestApi, type TestApi } from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const DATASET = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const { pushed } = labelSyncClient(() => t, DATASET, ['card']);
const rename = (name: string, id = DATASET) =>
  t.user(`/api/label-sync/${id}`, { method: 'PATCH', json: { name } });

describe('renaming a live dataset', () => {
  it('renames it for every device that lists or pulls it', async () => {
    await pushed(PHONE, [
      {
        seq: 1,
        sha256: sha(1),
        baseRevision: 0,
        labels: { boxes: [], polygons: [], imageClass: 0 },
        image: { fileName: '1.jpg', width: 64, height: 48 },
      },
    ]);
    const res = await rename('  Card fronts, 2026 ');
    expect(res.status).toBe(200);
    expect(((await res.json()) as LiveDatasetSummary).name).toBe('Card fronts, 2026');
    const list = (await (await t.user('/api/label-sync')).json()) as LiveDatasetSummary[];
    expect(list.map((d) => d.name)).toEqual(['Card fronts, 2026']);
    const changes = (await (
      await t.user(`/api/label-sync/${DATASET}/changes?since=0`)
    ).json()) as LabelChanges;
    expect(changes.name).toBe('Card fronts, 2026');
  });

  it('refuses an empty name and answers 404 for a dataset the server does not have', async () => {
    expect((await rename('   ')).status).toBe(400);
    expect((await rename('Cards')).status).toBe(404);
  });
});
