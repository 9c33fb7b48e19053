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
