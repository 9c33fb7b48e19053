// Conflicts the server kept (docs/sync-protocol.md): listing them, and settling one with the
// user's choice. A choice is an ordinary label edit that names the conflict, recorded in the
// log like any other, so it works offline and is sent with the next sync.
import type { LabelConflict, LiveLabels } from '$contract';
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { getDb, type LoupeDb } from '$lib/db/database';
import {
  recordRestore,
  removeAndRecord,
  writeAndRecord,
  type LabelSyncRow,
} from '$lib/db/label-log';
import { plural } from '$lib/text/wording';

export type ConflictChoice = 'current' | 'incoming' | 'both';

/** The conflict's labels are numbered by a class list this device does not hold (yet). */
export class ClassesChangedError extends Error {
  constructor() {
    super('The classes changed since this conflict was listed. Sync, then choose again.');
  }
}

/**
 * Whether the server may hold this dataset's live labels: it acknowledged an edit from this
 * device, or this device pulled from it. A dataset never synced has none there, so asking for its
 * conflicts would only earn a 404 in the console.
 */
export function reachedServer(row: Pick<LabelSyncRow, 'lastAck' | 'cursor'> | undefined): boolean {
  return !!row && (row.lastAck > 0 || row.cursor > 0);
}

/** The dataset's conflicts; none without asking when it never reached the server. */
export async function conflictsIfSynced(
  datasetId: string,
  db: LoupeDb = getDb(),
): Promise<LabelConflict[]> {
  if (!reachedServer(await db.labelSync.get(datasetId))) return [];
  return listConflicts(datasetId);
}

export async function listConflicts(datasetId: string, client = api): Promise<LabelConflict[]> {
  return unwrap<LabelConflict[]>(
    await client['label-sync'][':datasetId'].conflicts.$get({ param: { datasetId } }),
  );
}

/** The labels a choice keeps; "both" keeps every shape of either side, once. */
export function chosenLabels(conflict: LabelConflict, choice: ConflictChoice): LiveLabels {
  const current = conflict.currentLabels;
  const incoming = conflict.labels;
  if (choice === 'current') return current;
  if (choice === 'incoming') return incoming;
  const union = <T>(a: T[], b: T[]) => {
    const seen = new Set(a.map((x) => JSON.stringify(x)));
    return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
  };
  return {
    boxes: union(current.boxes, incoming.boxes),
    polygons: union(current.polygons, incoming.polygons),
    // One image class only: the current one wins unless it has none.
    imageClass: current.imageClass ?? incoming.imageClass,
    ...((current.split ?? incoming.split) ? { split: current.split ?? incoming.split } : {}),
  };
}

/** Writes the chosen labels on this device as an edit that settles the conflict. */
export async function settleConflict(
  datasetId: string,
  conflict: LabelConflict,
  choice: ConflictChoice,
  db: LoupeDb = getDb(),
): Promise<void> {
  const { sha256, id } = conflict;
  const local = (await db.datasets.get(datasetId))?.classes ?? [];
  if (local.join('\n') !== conflict.classes.join('\n')) throw new ClassesChangedError();
  const labels = chosenLabels(conflict, choice);
  if (!conflict.currentRemoved) return writeAndRecord(db, datasetId, sha256, labels, [id]);
  // The image was removed: keep it removed, or bring it back with the edit.
  if (choice === 'current') return removeAndRecord(db, datasetId, sha256, [id]);
  if (await db.annotations.get([datasetId, sha256])) {
    return writeAndRecord(db, datasetId, sha256, labels, [id]);
  }
  const { fileName, width, height } = conflict;
  await recordRestore(db, datasetId, sha256, labels, { fileName, width, height }, [id]);
}

/** One line per side, for the panel: what each holds. */
export function describeLabels(labels: LiveLabels, classes: readonly string[]): string {
  const name = (i: number) => classes[i] ?? `class ${i + 1}`;
  const parts: string[] = [];
  if (labels.boxes.length) {
    parts.push(
      `${plural(labels.boxes.length, 'box', 'boxes')}: ${labels.boxes.map((b) => name(b.classIndex)).join(', ')}`,
    );
  }
  if (labels.polygons.length) parts.push(plural(labels.polygons.length, 'outline'));
  if (labels.imageClass !== null) parts.push(`image class ${name(labels.imageClass)}`);
  return parts.join('; ') || 'no labels';
}
