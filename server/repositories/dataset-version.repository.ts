import type { DatasetManifest, DatasetVersion } from '../contract';
import type { Db } from './database';

type Row = {
  id: string;
  name: string;
  classes_json: string;
  image_count: number;
  task: DatasetVersion['task'];
  box_count: number;
  polygon_count: number;
  classified_count: number;
  created_at: string;
};

const toVersion = (r: Row): DatasetVersion => ({
  id: r.id,
  name: r.name,
  classes: JSON.parse(r.classes_json) as string[],
  imageCount: r.image_count,
  task: r.task,
  boxCount: r.box_count,
  polygonCount: r.polygon_count,
  classifiedCount: r.classified_count,
  createdAt: r.created_at,
});

export class DatasetVersionRepository {
  constructor(private readonly db: Db) {}

  /** Inserts once: a version is immutable and named by its content, so a repeat is a no-op. */
  insert(version: DatasetVersion, manifest: DatasetManifest) {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO dataset_versions
         (id, name, task, classes_json, manifest_json, image_count, box_count, polygon_count,
          classified_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        version.id,
        version.name,
        version.task,
        JSON.stringify(version.classes),
        JSON.stringify(manifest),
        version.imageCount,
        version.boxCount,
        version.polygonCount,
        version.classifiedCount,
        version.createdAt,
      );
  }

  get(id: string) {
    const row = this.db.prepare('SELECT * FROM dataset_versions WHERE id = ?').get(id) as
      Row | undefined;
    return row ? toVersion(row) : undefined;
  }

  manifest(id: string) {
    const row = this.db
      .prepare('SELECT manifest_json FROM dataset_versions WHERE id = ?')
      .get(id) as { manifest_json: string } | undefined;
    return row ? (JSON.parse(row.manifest_json) as DatasetManifest) : undefined;
  }

  list() {
    const rows = this.db
      .prepare('SELECT * FROM dataset_versions ORDER BY created_at DESC, rowid DESC')
      .all() as Row[];
    return rows.map(toVersion);
  }
}
