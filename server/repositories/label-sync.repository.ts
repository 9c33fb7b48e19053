import type {
  ClassOp,
  LiveDatasetSummary,
  LiveImage,
  LiveImageInfo,
  LiveLabels,
  MutationOutcome,
  Task,
} from '../contract';
import type { Db } from './database';

export type LiveDataset = {
  id: string;
  name: string;
  task: Task;
  classes: string[];
  revision: number;
  classVersion: number;
};

export type StoredImage = LiveImage & {
  lastDeviceId: string;
  /** The revision of the last label edit (a class change bumps only `revision`). */
  editRevision: number;
  removed: boolean;
};

export type MutationKind = 'labels' | 'remove' | 'class';

export type StoredClassOp = { version: number; deviceId: string; op: ClassOp };

export type StoredOutcome = {
  seq: number;
  sha256: string;
  outcome: MutationOutcome;
  conflictId: number | null;
  kind?: MutationKind;
};

export type StoredConflict = {
  id: number;
  sha256: string;
  deviceId: string;
  seq: number;
  baseRevision: number;
  labels: LiveLabels;
  createdAt: string;
};

type ImageRow = {
  sha256: string;
  file_name: string;
  width: number;
  height: number;
  labels_json: string;
  revision: number;
  last_device_id: string;
  edit_revision: number;
  removed: number;
};

type ConflictRow = {
  id: number;
  sha256: string;
  device_id: string;
  seq: number;
  base_revision: number;
  labels_json: string;
  created_at: string;
};

const toImage = (r: ImageRow): StoredImage => ({
  sha256: r.sha256,
  fileName: r.file_name,
  width: r.width,
  height: r.height,
  labels: JSON.parse(r.labels_json) as LiveLabels,
  revision: r.revision,
  lastDeviceId: r.last_device_id,
  editRevision: r.edit_revision,
  removed: r.removed === 1,
});

const toConflict = (r: ConflictRow): StoredConflict => ({
  id: r.id,
  sha256: r.sha256,
  deviceId: r.device_id,
  seq: r.seq,
  baseRevision: r.base_revision,
  labels: JSON.parse(r.labels_json) as LiveLabels,
  createdAt: r.created_at,
});

/** Live datasets, their images, device sequence numbers, mutation outcomes and conflicts. */
export class LabelSyncRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  dataset(id: string): LiveDataset | undefined {
    const row = this.db.prepare('SELECT * FROM live_datasets WHERE id = ?').get(id) as
      | {
          id: string;
          name: string;
          task: Task;
          classes_json: string;
          revision: number;
          class_version: number;
        }
      | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      task: row.task,
      revision: row.revision,
      classVersion: row.class_version,
      classes: JSON.parse(row.classes_json) as string[],
    };
  }

  /** Every live dataset with its image count, the most recently changed first. */
  datasets(): LiveDatasetSummary[] {
    const rows = this.db
      .prepare(
        `SELECT d.id, d.name, d.task, d.classes_json, d.revision, d.updated_at,
           (SELECT COUNT(*) FROM live_images i WHERE i.dataset_id = d.id AND i.removed = 0)
             AS image_count
         FROM live_datasets d ORDER BY d.updated_at DESC, d.id`,
      )
      .all() as {
      id: string;
      name: string;
      task: Task;
      classes_json: string;
      revision: number;
      updated_at: string;
      image_count: number;
    }[];
    return rows.map((r) => ({
      datasetId: r.id,
      name: r.name,
      task: r.task,
      classes: JSON.parse(r.classes_json) as string[],
      imageCount: r.image_count,
      revision: r.revision,
      updatedAt: r.updated_at,
    }));
  }

  renameDataset(id: string, name: string, at: string) {
    this.db
      .prepare('UPDATE live_datasets SET name = ?, updated_at = ? WHERE id = ?')
      .run(name, at, id);
  }

  createDataset(d: Omit<LiveDataset, 'revision' | 'classVersion'>, at: string) {
    this.db
      .prepare(
        `INSERT INTO live_datasets (id, name, task, classes_json, revision, created_at, updated_at)
         VALUES (?, ?, ?, ?, 0, ?, ?)`,
      )
      .run(d.id, d.name, d.task, JSON.stringify(d.classes), at, at);
  }

  updateDataset(
    id: string,
    change: { classes: string[]; revision: number; classVersion: number },
    at: string,
  ) {
    this.db
      .prepare(
        `UPDATE live_datasets SET classes_json = ?, revision = ?, class_version = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(JSON.stringify(change.classes), change.revision, change.classVersion, at, id);
  }

  addClassOp(datasetId: string, op: StoredClassOp, at: string) {
    this.db
      .prepare(
        'INSERT INTO live_class_ops (dataset_id, version, device_id, op_json, at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(datasetId, op.version, op.deviceId, JSON.stringify(op.op), at);
  }

  /** The class changes after `version`, oldest first. */
  classOpsSince(datasetId: string, version: number): StoredClassOp[] {
    const rows = this.db
      .prepare(
        `SELECT version, device_id, op_json FROM live_class_ops
         WHERE dataset_id = ? AND version > ? ORDER BY version`,
      )
      .all(datasetId, version) as { version: number; device_id: string; op_json: string }[];
    return rows.map((r) => ({
      version: r.version,
      deviceId: r.device_id,
      op: JSON.parse(r.op_json) as ClassOp,
    }));
  }

  lastSeq(datasetId: string, deviceId: string): number {
    const row = this.db
      .prepare('SELECT last_seq FROM label_devices WHERE dataset_id = ? AND device_id = ?')
      .get(datasetId, deviceId) as { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }

  setLastSeq(datasetId: string, deviceId: string, seq: number, at: string) {
    this.db
      .prepare(
        `INSERT INTO label_devices (dataset_id, device_id, last_seq, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (dataset_id, device_id) DO UPDATE SET last_seq = excluded.last_seq,
           updated_at = excluded.updated_at`,
      )
      .run(datasetId, deviceId, seq, at);
  }

  image(datasetId: string, sha256: string): StoredImage | undefined {
    const row = this.db
      .prepare('SELECT * FROM live_images WHERE dataset_id = ? AND sha256 = ?')
      .get(datasetId, sha256) as ImageRow | undefined;
    return row ? toImage(row) : undefined;
  }

  /** Writes an image's labels as an edit (or its removal) by this device at `revision`. */
  putImage(
    datasetId: string,
    image: LiveImageInfo & {
      sha256: string;
      labels: LiveLabels;
      revision: number;
      editRevision?: number;
      removed?: boolean;
    },
    deviceId: string,
  ) {
    this.db
      .prepare(
        `INSERT INTO live_images
           (dataset_id, sha256, file_name, width, height, labels_json, revision, last_device_id,
            edit_revision, removed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dataset_id, sha256) DO UPDATE SET labels_json = excluded.labels_json,
           revision = excluded.revision, last_device_id = excluded.last_device_id,
           edit_revision = excluded.edit_revision, removed = excluded.removed`,
      )
      .run(
        datasetId,
        image.sha256,
        image.fileName,
        image.width,
        image.height,
        JSON.stringify(image.labels),
        image.revision,
        deviceId,
        image.editRevision ?? image.revision,
        image.removed ? 1 : 0,
      );
  }

  /** A class change rewrote these labels: a new revision, but not an edit (no conflicts). */
  relabelImage(datasetId: string, sha256: string, labels: LiveLabels, revision: number) {
    this.db
      .prepare(
        'UPDATE live_images SET labels_json = ?, revision = ? WHERE dataset_id = ? AND sha256 = ?',
      )
      .run(JSON.stringify(labels), revision, datasetId, sha256);
  }

  /** Images (removed ones too, as tombstones) changed after `since`, oldest change first. */
  imagesSince(datasetId: string, since: number): StoredImage[] {
    const rows = this.db
      .prepare('SELECT * FROM live_images WHERE dataset_id = ? AND revision > ? ORDER BY revision')
      .all(datasetId, since) as ImageRow[];
    return rows.map(toImage);
  }

  /** The seq of a device's last applied label edit of an image (for a removal's conflict). */
  lastAppliedSeq(datasetId: string, deviceId: string, sha256: string): number {
    const row = this.db
      .prepare(
        `SELECT MAX(seq) AS seq FROM label_mutations WHERE dataset_id = ? AND device_id = ?
           AND sha256 = ? AND kind = 'labels' AND outcome = 'applied'`,
      )
      .get(datasetId, deviceId, sha256) as { seq: number | null };
    return row.seq ?? 0;
  }

  outcome(datasetId: string, deviceId: string, seq: number): StoredOutcome | undefined {
    const row = this.db
      .prepare(
        `SELECT seq, sha256, outcome, conflict_id, kind FROM label_mutations
         WHERE dataset_id = ? AND device_id = ? AND seq = ?`,
      )
      .get(datasetId, deviceId, seq) as
      | {
          seq: number;
          sha256: string;
          outcome: MutationOutcome;
          conflict_id: number | null;
          kind: MutationKind;
        }
      | undefined;
    return row && { ...row, conflictId: row.conflict_id };
  }

  recordOutcome(
    datasetId: string,
    deviceId: string,
    // `payload`: the labels as sent, or the class change; a removal has none.
    o: StoredOutcome & {
      kind: MutationKind;
      revision: number;
      payload: unknown;
      baseRevision: number;
    },
    at: string,
  ) {
    this.db
      .prepare(
        `INSERT INTO label_mutations
           (dataset_id, device_id, seq, sha256, base_revision, outcome, revision, conflict_id,
            labels_json, at, kind)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        datasetId,
        deviceId,
        o.seq,
        o.sha256,
        o.baseRevision,
        o.outcome,
        o.revision,
        o.conflictId,
        JSON.stringify(o.payload ?? null),
        at,
        o.kind,
      );
  }

  /** Every recorded mutation of a dataset in the order applied: the change log, for audits. */
  mutations(datasetId: string) {
    return this.db
      .prepare(
        `SELECT device_id AS deviceId, seq, kind, sha256, base_revision AS baseRevision, outcome,
           revision, labels_json AS labelsJson
         FROM label_mutations WHERE dataset_id = ? ORDER BY rowid`,
      )
      .all(datasetId) as {
      deviceId: string;
      seq: number;
      kind: MutationKind;
      sha256: string;
      baseRevision: number;
      outcome: MutationOutcome;
      revision: number;
      labelsJson: string;
    }[];
  }

  addConflict(datasetId: string, c: Omit<StoredConflict, 'id'>): number {
    const info = this.db
      .prepare(
        `INSERT INTO label_conflicts
           (dataset_id, sha256, device_id, seq, base_revision, labels_json, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        datasetId,
        c.sha256,
        c.deviceId,
        c.seq,
        c.baseRevision,
        JSON.stringify(c.labels),
        c.createdAt,
      );
    return Number(info.lastInsertRowid);
  }

  openConflicts(datasetId: string, sha256?: string): StoredConflict[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM label_conflicts WHERE dataset_id = ? AND resolved_at IS NULL
         ${sha256 ? 'AND sha256 = ?' : ''} ORDER BY id`,
      )
      .all(...(sha256 ? [datasetId, sha256] : [datasetId])) as ConflictRow[];
    return rows.map(toConflict);
  }

  /** A class change rewrote an open conflict's losing labels into the new numbering. */
  relabelConflict(datasetId: string, id: number, labels: LiveLabels) {
    this.db
      .prepare('UPDATE label_conflicts SET labels_json = ? WHERE dataset_id = ? AND id = ?')
      .run(JSON.stringify(labels), datasetId, id);
  }

  countOpenConflicts(datasetId: string): number {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS n FROM label_conflicts WHERE dataset_id = ? AND resolved_at IS NULL',
      )
      .get(datasetId) as { n: number };
    return row.n;
  }

  resolveConflict(datasetId: string, id: number, resolution: string, at: string) {
    this.db
      .prepare(
        `UPDATE label_conflicts SET resolved_at = ?, resolution = ?
         WHERE dataset_id = ? AND id = ? AND resolved_at IS NULL`,
      )
      .run(at, resolution, datasetId, id);
  }
}
