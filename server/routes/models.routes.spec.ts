import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../contract';
import { type TestApi, createTestApi, registerModel, seedVersion } from '../testing/test-server';

let t: TestApi;
let versionId: string;

beforeEach(async () => {
  t = await createTestApi();
  versionId = (await seedVersion(t)).id;
});
afterEach(() => t.close());

const get = async (id: string) =>
  (await (await t.user(`/api/models/${id}`)).json()) as ModelVersion;
const rename = (id: string, name: string | null) =>
  t.user(`/api/models/${id}`, { method: 'PATCH', json: { name } });

describe('model version names', () => {
  it('takes the name asked for at training, and none when none was asked', async () => {
    const named = await registerModel(t, versionId, { modelName: '  cards, 150 epochs ' });
    const plain = await registerModel(t, versionId);
    expect((await get(named.modelVersionId)).name).toBe('cards, 150 epochs');
    expect((await get(plain.modelVersionId)).name).toBeNull();
    const list = (await (await t.user('/api/models')).json()) as ModelVersion[];
    expect(list.map((m) => m.name).sort()).toEqual(['cards, 150 epochs', null]);
  });

  it('renames a version, clears its name with null, and refuses an empty name', async () => {
    const { modelVersionId: id } = await registerModel(t, versionId);
    const res = await rename(id, 'Card finder');
    expect(res.status).toBe(200);
    expect(((await res.json()) as ModelVersion).name).toBe('Card finder');
    expect((await get(id)).name).toBe('Card finder');
    expect((await rename(id, '   ')).status).toBe(400);
    expect((await rename(id, 'x'.repeat(81))).status).toBe(400);
    expect((await get(id)).name).toBe('Card finder');
    await rename(id, null);
    expect((await get(id)).name).toBeNull();
  });

  it('answers 404 for a version that does not exist', async () => {
    expect((await rename('00000000-0000-4000-8000-000000000000', 'x')).status).toBe(404);
  });
});
