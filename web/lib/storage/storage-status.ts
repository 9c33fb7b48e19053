// How much of this origin's storage the app uses and may still use, and the request that asks
// the browser not to evict it. Chrome and Safari 17+ allow an origin up to 60% of the disk;
// Safari deletes script-written storage after 7 days without a visit unless the app is on the
// Home Screen, which a persisted origin is spared.

export interface StorageStatus {
  /** Bytes in use by this origin (IndexedDB, caches, service worker). */
  usage: number;
  /** Bytes the browser will let this origin use in all. */
  quota: number;
  /** Whether the browser promised not to evict this origin under storage pressure. */
  persisted: boolean;
  /** 'ok', or a warning level once the free space runs low. */
  level: 'ok' | 'low' | 'critical';
}

/** Warn below this share of the quota left, or below this many bytes, whichever comes first. */
const LOW_SHARE = 0.2;
const LOW_BYTES = 300 * 1024 * 1024;
const CRITICAL_SHARE = 0.05;
const CRITICAL_BYTES = 50 * 1024 * 1024;

export function levelFor(usage: number, quota: number): StorageStatus['level'] {
  if (quota <= 0) return 'ok';
  const left = Math.max(0, quota - usage);
  if (left < CRITICAL_BYTES || left / quota < CRITICAL_SHARE) return 'critical';
  if (left < LOW_BYTES || left / quota < LOW_SHARE) return 'low';
  return 'ok';
}

/** Asks once for persistent storage; browsers grant it silently or not at all (never a prompt). */
export async function requestPersistence(): Promise<boolean> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) return false;
  if (await storage.persisted()) return true;
  return storage.persist().catch(() => false);
}

export async function readStorageStatus(): Promise<StorageStatus | null> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.estimate) return null;
  const { usage = 0, quota = 0 } = await storage.estimate();
  const persisted = storage.persisted ? await storage.persisted() : false;
  return { usage, quota, persisted, level: levelFor(usage, quota) };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
