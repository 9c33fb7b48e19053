import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase } from './database';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A database file as a server before external runs left it (the first five migrations). */
function databaseAtVersion5() {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-db-'));
  dirs.push(dir);
  const file = join(dir, 'loupe.sqlite');
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  for (const migration of MIGRATIONS.slice(0, 5)) db.exec(migration);
  db.pragma('user_version = 5');
  const at = '2026-01-01T00:00:00.000Z';
  db.prepare(
    `INSERT INTO dataset_versions (id, name, classes_json, manifest_json, image_count, box_count,
     created_at) VALUES ('v', 'cards', '["card"]', '{}', 1, 1, ?)`,
  ).run(at);
  db.prepare(
    `INSERT INTO jobs (id, status, config_json, dataset_version_id, created_at, updated_at,
     cancel_requested, lease_token) VALUES ('j', 'training', '{}', 'v', ?, ?, 1, 'lt')`,
  ).run(at, at);
  db.prepare(
    `INSERT INTO job_events (job_id, payload_json, created_at) VALUES ('j', '{"type":"x"}', ?)`,
  ).run(at);
  db.prepare(`INSERT INTO job_epochs (job_id, epoch, metrics_json) VALUES ('j', 1, '{}')`).run();
  db.close();
  return file;
}

describe('migration 6: jobs without a dataset version', () => {
  it('keeps every job, its events and epochs, and the references to it', () => {
    const db = openDatabase(databaseAtVersion5());
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT id, origin, cancel_requested, lease_token FROM jobs').all()).toEqual([
      { id: 'j', origin: 'queue', cancel_requested: 1, lease_token: 'lt' },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM job_events').get()).toEqual({ n: 1 });
    // job_epochs still references jobs: an epoch of a job that does not exist is refused.
    const orphan = db.prepare(
      "INSERT INTO job_epochs (job_id, epoch, metrics_json) VALUES ('nope', 1, '{}')",
    );
    expect(() => orphan.run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('lets only a queued job have a dataset version and only it hold a lease', () => {
    const db = openDatabase(databaseAtVersion5());
    const insert = db.prepare(
      `INSERT INTO jobs (id, status, origin, config_json, dataset_version_id, lease_token,
       created_at, updated_at) VALUES (?, 'training', ?, '{}', ?, ?, '', '')`,
    );
    insert.run('external', 'external', null, null);
    expect(() => insert.run('a', 'queue', null, null)).toThrow(/CHECK/);
    expect(() => insert.run('b', 'external', 'v', null)).toThrow(/CHECK/);
    expect(() => insert.run('c', 'external', null, 'leased')).toThrow(/CHECK/);
    db.close();
  });
});
