import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Schema migrations, applied in order and recorded in `user_version`. Never edit a shipped
 * migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE dataset_versions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    classes_json TEXT NOT NULL,
    manifest_json TEXT NOT NULL,
    image_count INTEGER NOT NULL,
    box_count INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    config_json TEXT NOT NULL,
    dataset_version_id TEXT NOT NULL REFERENCES dataset_versions(id),
    progress_json TEXT,
    error TEXT,
    model_version_id TEXT,
    lease_token TEXT,
    lease_runner TEXT,
    lease_expires_at INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX jobs_by_status ON jobs(status, created_at);
  CREATE TABLE job_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs(id),
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX job_events_by_job ON job_events(job_id, id);
  CREATE TABLE job_epochs (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    epoch INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    PRIMARY KEY (job_id, epoch)
  );
  CREATE TABLE job_artifacts (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    bytes INTEGER NOT NULL,
    PRIMARY KEY (job_id, name)
  );
  CREATE TABLE model_versions (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL UNIQUE REFERENCES jobs(id),
    task TEXT NOT NULL,
    onnx_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    onnx_bytes INTEGER NOT NULL,
    metadata_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  `
  ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
  `,
  `
  ALTER TABLE jobs ADD COLUMN health_json TEXT;
  ALTER TABLE jobs ADD COLUMN checkpoint_epoch INTEGER;
  ALTER TABLE jobs ADD COLUMN checkpoint_sha256 TEXT REFERENCES blobs(sha256);
  ALTER TABLE jobs ADD COLUMN checkpoint_bytes INTEGER;
  `,
  `
  ALTER TABLE dataset_versions ADD COLUMN task TEXT NOT NULL DEFAULT 'detect';
  ALTER TABLE dataset_versions ADD COLUMN polygon_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE dataset_versions ADD COLUMN classified_count INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- The move log keeps naming a model version after it is deleted; only a channel's current
  -- pointer must name a stored one.
  CREATE TABLE channel_moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    model_id TEXT NOT NULL,
    previous_model_id TEXT,
    action TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX channel_moves_by_channel ON channel_moves(channel, id);
  CREATE TABLE channels (
    name TEXT PRIMARY KEY,
    model_id TEXT NOT NULL REFERENCES model_versions(id),
    last_move_id INTEGER NOT NULL REFERENCES channel_moves(id)
  );
  `,
  // Runs a script reports about itself (origin 'external') have no dataset version. SQLite
  // cannot drop NOT NULL in place, so jobs is rebuilt (its 12-step recipe; see migrate()).
  `
  CREATE TABLE jobs_next (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'queue' CHECK (origin IN ('queue', 'external')),
    config_json TEXT NOT NULL,
    dataset_version_id TEXT REFERENCES dataset_versions(id),
    progress_json TEXT,
    error TEXT,
    model_version_id TEXT,
    lease_token TEXT,
    lease_runner TEXT,
    lease_expires_at INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    health_json TEXT,
    checkpoint_epoch INTEGER,
    checkpoint_sha256 TEXT REFERENCES blobs(sha256),
    checkpoint_bytes INTEGER,
    final_metrics_json TEXT,
    CHECK ((origin = 'queue') = (dataset_version_id IS NOT NULL)),
    CHECK (origin = 'queue' OR lease_token IS NULL)
  );
  INSERT INTO jobs_next (id, status, config_json, dataset_version_id, progress_json, error,
    model_version_id, lease_token, lease_runner, lease_expires_at, created_at, updated_at,
    cancel_requested, health_json, checkpoint_epoch, checkpoint_sha256, checkpoint_bytes)
  SELECT id, status, config_json, dataset_version_id, progress_json, error,
    model_version_id, lease_token, lease_runner, lease_expires_at, created_at, updated_at,
    cancel_requested, health_json, checkpoint_epoch, checkpoint_sha256, checkpoint_bytes
  FROM jobs;
  DROP TABLE jobs;
  ALTER TABLE jobs_next RENAME TO jobs;
  CREATE INDEX jobs_by_status ON jobs(status, created_at);
  `,
  // Label sync (docs/sync-protocol.md): a mutable working copy per local dataset id, the outcome
  // of every device's numbered mutation (replays are answered from it), and losing edits.
  `
  CREATE TABLE live_datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    task TEXT NOT NULL,
    classes_json TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE live_images (
    dataset_id TEXT NOT NULL REFERENCES live_datasets(id),
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    labels_json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    last_device_id TEXT NOT NULL,
    PRIMARY KEY (dataset_id, sha256)
  );
  CREATE INDEX live_images_by_revision ON live_images(dataset_id, revision);
  CREATE TABLE label_devices (
    dataset_id TEXT NOT NULL REFERENCES live_datasets(id),
    device_id TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, device_id)
  );
  CREATE TABLE label_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id TEXT NOT NULL REFERENCES live_datasets(id),
    sha256 TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    base_revision INTEGER NOT NULL,
    labels_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT
  );
  CREATE INDEX label_conflicts_open ON label_conflicts(dataset_id, resolved_at, sha256);
  CREATE TABLE label_mutations (
    dataset_id TEXT NOT NULL REFERENCES live_datasets(id),
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    base_revision INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'conflict')),
    revision INTEGER,
    conflict_id INTEGER REFERENCES label_conflicts(id),
    labels_json TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, device_id, seq)
  );
  `,
  // When a job started (first lease, or a script's run registered) and ended, so durations leave
  // out the queue. Earlier jobs get both from their event log, where it has them.
  `
  ALTER TABLE jobs ADD COLUMN started_at TEXT;
  ALTER TABLE jobs ADD COLUMN finished_at TEXT;
  UPDATE jobs SET
    started_at = (SELECT MIN(e.created_at) FROM job_events e WHERE e.job_id = jobs.id
      AND json_extract(e.payload_json, '$.type') = 'status'
      AND json_extract(e.payload_json, '$.status') IN ('preparing', 'training', 'exporting')),
    finished_at = (SELECT MIN(e.created_at) FROM job_events e WHERE e.job_id = jobs.id
      AND json_extract(e.payload_json, '$.type') = 'status'
      AND json_extract(e.payload_json, '$.status') IN ('completed', 'failed', 'cancelled'));
  `,
  // Label sync of class changes and image removals (docs/sync-protocol.md): the class list's
  // version and its change log (label edits are translated through it), the revision of an
  // image's last label edit (a class change bumps `revision` without making edits conflict),
  // removed images kept as tombstones so other devices pull the removal, and each logged
  // mutation's kind.
  `
  ALTER TABLE live_datasets ADD COLUMN class_version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE live_images ADD COLUMN edit_revision INTEGER NOT NULL DEFAULT 0;
  UPDATE live_images SET edit_revision = revision;
  ALTER TABLE live_images ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE label_mutations ADD COLUMN kind TEXT NOT NULL DEFAULT 'labels';
  CREATE TABLE live_class_ops (
    dataset_id TEXT NOT NULL REFERENCES live_datasets(id),
    version INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    op_json TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version)
  );
  `,
  // Which photos a queue job trains, validates and tests on (contract/split.ts), fixed when the
  // job is created and kept after the runner's work folder is gone.
  `
  ALTER TABLE jobs ADD COLUMN split_json TEXT;
  `,
  // A model version's name, given at training or on its page; earlier versions have none.
  `
  ALTER TABLE model_versions ADD COLUMN name TEXT;
  `,
];

export function openDatabase(file: string): Db {
  const db = new Database(file);
  // WAL lets the event stream read while a runner writes; NORMAL sync is durable at checkpoints.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db) {
  const current = db.pragma('user_version', { simple: true }) as number;
  // A migration that rebuilds a table drops it while others still reference it, which SQLite
  // allows only with foreign keys off (and the pragma is ignored inside a transaction); every
  // reference is checked before the migration commits instead.
  db.pragma('foreign_keys = OFF');
  try {
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v] ?? '');
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new Error(`migration ${v + 1} would leave ${broken.length} broken references`);
        }
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
