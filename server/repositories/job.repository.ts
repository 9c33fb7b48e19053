import type {
  Checkpoint,
  JobEventType,
  EpochMetrics,
  ExternalRunConfig,
  Job,
  JobConfig,
  JobEvent,
  JobProgress,
  JobSplit,
  JobStatus,
  QueueJob,
  RunnerHealth,
  StoredJobEvent,
} from '../contract';
import type { Db } from './database';

type Row = {
  id: string;
  status: JobStatus;
  origin: 'queue' | 'external';
  config_json: string;
  final_metrics_json: string | null;
  progress_json: string | null;
  health_json: string | null;
  checkpoint_epoch: number | null;
  error: string | null;
  model_version_id: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
};

const jobFields = (r: Row) => ({
  id: r.id,
  status: r.status,
  progress: r.progress_json ? (JSON.parse(r.progress_json) as JobProgress) : null,
  health: r.health_json ? (JSON.parse(r.health_json) as RunnerHealth) : null,
  checkpointEpoch: r.checkpoint_epoch,
  error: r.error,
  modelVersionId: r.model_version_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

const toJob = (r: Row): Job => {
  const fields = jobFields(r);
  if (r.origin === 'queue') {
    return { origin: 'queue', config: JSON.parse(r.config_json) as JobConfig, ...fields };
  }
  return {
    origin: 'external',
    config: JSON.parse(r.config_json) as ExternalRunConfig,
    finalMetrics: r.final_metrics_json
      ? (JSON.parse(r.final_metrics_json) as Record<string, number>)
      : null,
    ...fields,
  };
};

export type { StoredJobEvent };
/** Where a page of jobs ended: its last job's creation time and rowid. */
export type JobCursor = { createdAt: string; seq: number };
export type LeaseRow = { leaseToken: string | null; leaseExpiresAt: number | null };

/** Rows of jobs, their event log, per-epoch metrics and uploaded artifacts. No domain rules. */
export class JobRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** A run a script reports about itself: no dataset, never queued, so no runner can lease it. */
  insertExternal(id: string, config: ExternalRunConfig, now: string) {
    this.db
      .prepare(
        `INSERT INTO jobs (id, status, origin, config_json, created_at, updated_at, started_at)
         VALUES (?, 'training', 'external', ?, ?, ?, ?)`,
      )
      .run(id, JSON.stringify(config), now, now, now);
  }

  setFinalMetrics(id: string, metrics: Record<string, number>) {
    this.db
      .prepare('UPDATE jobs SET final_metrics_json = ? WHERE id = ?')
      .run(JSON.stringify(metrics), id);
  }

  insert(id: string, config: JobConfig, split: JobSplit, now: string) {
    this.db
      .prepare(
        `INSERT INTO jobs (id, status, config_json, dataset_version_id, split_json, created_at,
           updated_at)
         VALUES (?, 'queued', ?, ?, ?, ?, ?)`,
      )
      .run(id, JSON.stringify(config), config.datasetVersionId, JSON.stringify(split), now, now);
  }

  /** The photos of each split; null for a reported run or a job queued before splits were kept. */
  split(id: string): JobSplit | null {
    const row = this.db.prepare('SELECT split_json FROM jobs WHERE id = ?').get(id) as
      { split_json: string | null } | undefined;
    return row?.split_json ? (JSON.parse(row.split_json) as JobSplit) : null;
  }

  setSplit(id: string, split: JobSplit) {
    this.db.prepare('UPDATE jobs SET split_json = ? WHERE id = ?').run(JSON.stringify(split), id);
  }

  get(id: string) {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  lease(id: string): LeaseRow | undefined {
    return this.db
      .prepare(
        'SELECT lease_token AS leaseToken, lease_expires_at AS leaseExpiresAt FROM jobs WHERE id = ?',
      )
      .get(id) as LeaseRow | undefined;
  }

  /**
   * Up to `limit` jobs, newest first, older than `before` when given. The rowid breaks ties
   * between jobs created in the same millisecond, so a page never skips or repeats one.
   */
  page(limit: number, before?: JobCursor) {
    const rows = this.db
      .prepare(
        `SELECT rowid AS seq, * FROM jobs
         WHERE ? IS NULL OR created_at < ? OR (created_at = ? AND rowid < ?)
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(
        before?.createdAt ?? null,
        before?.createdAt ?? null,
        before?.createdAt ?? null,
        before?.seq ?? null,
        limit,
      ) as (Row & { seq: number })[];
    return rows.map((r) => ({ job: toJob(r), cursor: { createdAt: r.created_at, seq: r.seq } }));
  }

  /** The newest `limit` completed queue jobs, newest first, with the photos they split into. */
  recentCompleted(limit: number): { job: QueueJob; split: JobSplit | null }[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE origin = 'queue' AND status = 'completed'
         ORDER BY finished_at DESC, rowid DESC LIMIT ?`,
      )
      .all(limit) as (Row & { split_json: string | null })[];
    return rows.map((r) => ({
      job: toJob(r) as QueueJob,
      split: r.split_json ? (JSON.parse(r.split_json) as JobSplit) : null,
    }));
  }

  /** How many jobs there are in each status (statuses without jobs are left out). */
  countByStatus() {
    return this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as {
      status: JobStatus;
      n: number;
    }[];
  }

  oldestQueued(): QueueJob | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM jobs WHERE status = 'queued' AND origin = 'queue'
         ORDER BY created_at, rowid LIMIT 1`,
      )
      .get() as Row | undefined;
    const job = row && toJob(row);
    return job?.origin === 'queue' ? job : undefined;
  }

  /** Jobs whose runner stopped renewing its lease. */
  expiredLeases(nowMs: number) {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('preparing', 'training', 'exporting')
         AND lease_expires_at IS NOT NULL AND lease_expires_at < ?`,
      )
      .all(nowMs) as Row[];
    return rows.map(toJob);
  }

  setLease(id: string, token: string | null, runner: string | null, expiresAt: number | null) {
    this.db
      .prepare(
        'UPDATE jobs SET lease_token = ?, lease_runner = ?, lease_expires_at = ? WHERE id = ?',
      )
      .run(token, runner, expiresAt, id);
  }

  requestCancel(id: string) {
    this.db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id);
  }

  cancelRequested(id: string) {
    const row = this.db.prepare('SELECT cancel_requested FROM jobs WHERE id = ?').get(id) as
      { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  renewLease(id: string, expiresAt: number) {
    this.db.prepare('UPDATE jobs SET lease_expires_at = ? WHERE id = ?').run(expiresAt, id);
  }

  setStatus(id: string, status: JobStatus, error: string | null, now: string) {
    this.db
      .prepare('UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?')
      .run(status, error, now, id);
  }

  /** Keeps the first start: a job requeued and leased again started when it was first leased. */
  setStartedOnce(id: string, now: string) {
    this.db
      .prepare('UPDATE jobs SET started_at = ? WHERE id = ? AND started_at IS NULL')
      .run(now, id);
  }

  setFinished(id: string, now: string) {
    this.db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?').run(now, id);
  }

  setProgress(id: string, progress: JobProgress, now: string) {
    this.db
      .prepare('UPDATE jobs SET progress_json = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(progress), now, id);
  }

  setModelVersion(id: string, modelVersionId: string, now: string) {
    this.db
      .prepare('UPDATE jobs SET model_version_id = ?, updated_at = ? WHERE id = ?')
      .run(modelVersionId, now, id);
  }

  setHealth(id: string, health: RunnerHealth) {
    this.db.prepare('UPDATE jobs SET health_json = ? WHERE id = ?').run(JSON.stringify(health), id);
  }

  /** Keeps the newest checkpoint only; an older epoch arriving late changes nothing. */
  setCheckpoint(id: string, checkpoint: Checkpoint) {
    const info = this.db
      .prepare(
        `UPDATE jobs SET checkpoint_epoch = ?, checkpoint_sha256 = ?, checkpoint_bytes = ?
         WHERE id = ? AND (checkpoint_epoch IS NULL OR checkpoint_epoch < ?)`,
      )
      .run(checkpoint.epoch, checkpoint.sha256, checkpoint.bytes, id, checkpoint.epoch);
    return info.changes === 1;
  }

  checkpoint(id: string): Checkpoint | null {
    const row = this.db
      .prepare(
        `SELECT checkpoint_epoch AS epoch, checkpoint_sha256 AS sha256, checkpoint_bytes AS bytes
         FROM jobs WHERE id = ? AND checkpoint_sha256 IS NOT NULL`,
      )
      .get(id) as Checkpoint | undefined;
    return row ?? null;
  }

  appendEvent(jobId: string, event: JobEvent, now: string): StoredJobEvent {
    const info = this.db
      .prepare('INSERT INTO job_events (job_id, payload_json, created_at) VALUES (?, ?, ?)')
      .run(jobId, JSON.stringify(event), now);
    return { id: Number(info.lastInsertRowid), event };
  }

  eventsAfter(jobId: string, afterId: number): StoredJobEvent[] {
    const rows = this.db
      .prepare('SELECT id, payload_json FROM job_events WHERE job_id = ? AND id > ? ORDER BY id')
      .all(jobId, afterId) as { id: number; payload_json: string }[];
    return rows.map((r) => ({ id: r.id, event: JSON.parse(r.payload_json) as JobEvent }));
  }

  /** One job's events of these types (all when null) after `afterId`, oldest first. */
  eventsOfTypes(
    jobId: string,
    types: readonly JobEventType[] | null,
    afterId: number,
    limit: number,
  ) {
    const typed = types
      ? `AND json_extract(payload_json, '$.type') IN (${types.map(() => '?')})`
      : '';
    const rows = this.db
      .prepare(
        `SELECT id, payload_json FROM job_events WHERE job_id = ? AND id > ? ${typed}
         ORDER BY id LIMIT ?`,
      )
      .all(jobId, afterId, ...(types ?? []), limit) as { id: number; payload_json: string }[];
    return rows.map((r) => ({ id: r.id, event: JSON.parse(r.payload_json) as JobEvent }));
  }

  /** Events of every job after `afterId`, oldest first, at most `limit` (the live stream pages). */
  eventsOfAllJobsAfter(afterId: number, limit: number): (StoredJobEvent & { jobId: string })[] {
    const rows = this.db
      .prepare('SELECT id, job_id, payload_json FROM job_events WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit) as { id: number; job_id: string; payload_json: string }[];
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      event: JSON.parse(r.payload_json) as JobEvent,
    }));
  }

  lastEventId(): number {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM job_events').get() as {
      id: number | null;
    };
    return row.id ?? 0;
  }

  /** True when this epoch was new; a repeat of an epoch already stored changes nothing. */
  insertEpoch(jobId: string, epoch: EpochMetrics) {
    const info = this.db
      .prepare('INSERT OR IGNORE INTO job_epochs (job_id, epoch, metrics_json) VALUES (?, ?, ?)')
      .run(jobId, epoch.epoch, JSON.stringify(epoch.metrics));
    return info.changes === 1;
  }

  epochs(jobId: string): EpochMetrics[] {
    const rows = this.db
      .prepare('SELECT epoch, metrics_json FROM job_epochs WHERE job_id = ? ORDER BY epoch')
      .all(jobId) as { epoch: number; metrics_json: string }[];
    return rows.map((r) => ({
      epoch: r.epoch,
      metrics: JSON.parse(r.metrics_json) as Record<string, number>,
    }));
  }

  putArtifact(jobId: string, name: string, sha256: string, bytes: number) {
    this.db
      .prepare(
        `INSERT INTO job_artifacts (job_id, name, sha256, bytes) VALUES (?, ?, ?, ?)
         ON CONFLICT (job_id, name) DO UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes`,
      )
      .run(jobId, name, sha256, bytes);
  }

  artifacts(jobId: string) {
    return this.db
      .prepare('SELECT name, sha256, bytes FROM job_artifacts WHERE job_id = ?')
      .all(jobId) as { name: string; sha256: string; bytes: number }[];
  }
}
