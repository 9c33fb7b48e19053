// Model versions kept on this device for offline use, and which channel and version it runs.
// Callers hand over bytes they already verified; a refused write (storage full, Safari's
// intermittent Blob errors) comes back as a value the page shows, never as a thrown surprise.
import type { ModelMetadata } from '$contract';
import { nextStamp } from './clock';
import { getDb, type DeliveryRow, type ModelRow } from './database';
import { isQuotaError } from './dataset-errors';

export type { DeliveryRow, ModelRow } from './database';

/** A stored version without its bytes: what lists and status lines need. */
export type StoredModelInfo = Omit<ModelRow, 'blob'>;

export type StoreOutcome =
  { ok: true } | { ok: false; reason: 'storage-full' | 'storage-failed'; message: string };

export interface VerifiedModel {
  id: string;
  sha256: string;
  blob: Blob;
  metadata: ModelMetadata;
  createdAt: string;
  name?: string | null;
}

export async function storeVerifiedModel(model: VerifiedModel): Promise<StoreOutcome> {
  try {
    await getDb().models.put({ ...model, bytes: model.blob.size, storedAt: nextStamp() });
    return { ok: true };
  } catch (error) {
    const mb = (model.blob.size / 1e6).toFixed(1);
    if (isQuotaError(error)) {
      return {
        ok: false,
        reason: 'storage-full',
        message:
          `This device's storage is full: the ${mb} MB model could not be kept. The current ` +
          'model keeps running; free space (delete datasets you have synced) and it retries.',
      };
    }
    return {
      ok: false,
      reason: 'storage-failed',
      message: `The browser refused to store the ${mb} MB model (${String(error)}); the current model keeps running and it retries.`,
    };
  }
}

export async function getStoredModel(id: string): Promise<ModelRow | undefined> {
  return getDb().models.get(id);
}

/** Every stored version, newest first, without reading their bytes into memory. */
export async function listStoredModels(): Promise<StoredModelInfo[]> {
  const rows = await getDb().models.orderBy('storedAt').reverse().toArray();
  // A Blob read from IndexedDB is a handle; its bytes are only read when asked for.
  return rows.map(({ blob: _blob, ...info }) => info);
}

export async function deleteStoredModels(ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await getDb().models.bulkDelete([...ids]);
}

const NO_DELIVERY: Omit<DeliveryRow, 'updatedAt'> = {
  key: 'device',
  channel: null,
  activeModelId: null,
};

export async function getDelivery(): Promise<Omit<DeliveryRow, 'updatedAt'>> {
  return (await getDb().delivery.get('device')) ?? NO_DELIVERY;
}

/** Records a change to what this device follows or runs; the other field is kept. */
export async function updateDelivery(
  change: Partial<Pick<DeliveryRow, 'channel' | 'activeModelId'>>,
): Promise<void> {
  const db = getDb();
  await db.transaction('rw', db.delivery, async () => {
    const current = (await db.delivery.get('device')) ?? NO_DELIVERY;
    await db.delivery.put({ ...current, ...change, updatedAt: nextStamp() });
  });
}
