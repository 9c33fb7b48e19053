// A tiny record kept OUTSIDE IndexedDB (localStorage): which device id this browser synced labels
// under and, per dataset, the last mutation it recorded and the last one the server acknowledged.
// When the browser evicts IndexedDB (Safari after 7 days without a visit, storage pressure) this
// survives and tells the app what it lost (docs/sync-protocol.md, storage loss).

export interface MarkedDataset {
  name: string;
  /** The last seq recorded on this device. */
  recorded: number;
  /** The last seq the server acknowledged. */
  acked: number;
}

export interface LabelMarker {
  deviceId: string;
  datasets: Record<string, MarkedDataset>;
}

/** What a loss looked like when it was found: kept until the user dismisses it. */
export interface LostDataset {
  datasetId: string;
  name: string;
  /** Edits made on this device that the server never acknowledged: gone with the database. */
  unsyncedChanges: number;
  /** Whether the dataset itself is gone from this device. */
  datasetMissing: boolean;
  /** Whether the server holds the dataset, so it can be got again. */
  onServer: boolean;
}

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

let store: KeyValueStore | undefined =
  typeof localStorage === 'undefined' ? undefined : localStorage;

/** Tests run in Node, which has no localStorage: they give one. */
export function useMarkerStore(s: KeyValueStore | undefined): void {
  store = s;
}

const markerKey = (dbName: string) => `loupe.labelMarker.${dbName}`;
const lostKey = (dbName: string) => `loupe.labelLoss.${dbName}`;

function read<T>(key: string): T | undefined {
  const text = store?.getItem(key);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export const readMarker = (dbName: string) => read<LabelMarker>(markerKey(dbName));

export function writeMarker(dbName: string, marker: LabelMarker): void {
  store?.setItem(markerKey(dbName), JSON.stringify(marker));
}

type Mark = { deviceId: string; datasetId: string; seq: number; name?: string };

/**
 * Updates one dataset's mark. A marker left by another device id is evidence of a lost database
 * that detectStorageLoss has not read yet: it is left as it is.
 */
function update(dbName: string, m: Mark, change: (d: MarkedDataset) => MarkedDataset) {
  const marker = readMarker(dbName) ?? { deviceId: m.deviceId, datasets: {} };
  if (marker.deviceId !== m.deviceId) return;
  const current = marker.datasets[m.datasetId] ?? { name: m.name ?? '', recorded: 0, acked: 0 };
  const next = change({ ...current, name: m.name ?? current.name });
  writeMarker(dbName, { ...marker, datasets: { ...marker.datasets, [m.datasetId]: next } });
}

export function noteRecorded(dbName: string, m: Mark): void {
  update(dbName, m, (d) => ({ ...d, recorded: Math.max(d.recorded, m.seq) }));
}

export function noteAcknowledged(dbName: string, m: Mark): void {
  update(dbName, m, (d) => ({ ...d, acked: m.seq, recorded: Math.max(d.recorded, m.seq) }));
}

export const readLoss = (dbName: string) => read<LostDataset[]>(lostKey(dbName)) ?? [];

export function writeLoss(dbName: string, lost: LostDataset[]): void {
  if (lost.length === 0) store?.removeItem(lostKey(dbName));
  else store?.setItem(lostKey(dbName), JSON.stringify(lost));
}
