import type { Db } from './database';

export class BlobRepository {
  constructor(private readonly db: Db) {}

  has(sha256: string) {
    return this.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').get(sha256) !== undefined;
  }

  /** Which of these hashes the server has no blob for, in the order given. */
  missing(sha256s: string[]) {
    const stmt = this.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?');
    return sha256s.filter((sha) => stmt.get(sha) === undefined);
  }

  insert(sha256: string, bytes: number, mediaType: string, createdAt: string) {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO blobs (sha256, bytes, media_type, created_at) VALUES (?, ?, ?, ?)',
      )
      .run(sha256, bytes, mediaType, createdAt);
  }

  get(sha256: string) {
    return this.db
      .prepare('SELECT sha256, bytes, media_type AS mediaType FROM blobs WHERE sha256 = ?')
      .get(sha256) as { sha256: string; bytes: number; mediaType: string } | undefined;
  }
}
