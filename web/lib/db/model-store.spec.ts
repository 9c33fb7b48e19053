import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelMetadata } from '$contract';
import { deleteDb } from './database';
import {
  deleteStoredModels,
  getDelivery,
  getStoredModel,
  listStoredModels,
  storeVerifiedModel,
  updateDelivery,
} from './model-store';

const metadata = { task: 'detect', classNames: ['card'], architecture: 'yolo11n' } as ModelMetadata;
const model = (id: string, bytes = 'onnx bytes') => ({
  id,
  sha256: id.repeat(64).slice(0, 64),
  blob: new Blob([bytes]),
  metadata,
  createdAt: '2026-01-01T00:00:00.000Z',
});

afterEach(() => deleteDb());

describe('model store', () => {
  it('keeps a verified version with its bytes, and lists versions newest first without them', async () => {
    expect(await storeVerifiedModel(model('a', 'first'))).toEqual({ ok: true });
    expect(await storeVerifiedModel(model('b', 'second!'))).toEqual({ ok: true });
    const row = await getStoredModel('a');
    expect(await row?.blob.text()).toBe('first');
    expect(row).toMatchObject({ bytes: 5, metadata, sha256: 'a'.repeat(64) });
    const list = await listStoredModels();
    expect(list.map((m) => m.id)).toEqual(['b', 'a']);
    expect(list[0]).not.toHaveProperty('blob');
    await deleteStoredModels(['b']);
    expect((await listStoredModels()).map((m) => m.id)).toEqual(['a']);
  });

  it('remembers the followed channel and the active version separately', async () => {
    expect(await getDelivery()).toMatchObject({ channel: null, activeModelId: null });
    await updateDelivery({ channel: 'cards/production' });
    await updateDelivery({ activeModelId: 'a' });
    expect(await getDelivery()).toMatchObject({
      channel: 'cards/production',
      activeModelId: 'a',
    });
  });
});
