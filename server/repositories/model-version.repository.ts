import type { ModelMetadata, ModelVersion } from '../contract';
import type { Db } from './database';

type Row = {
  id: string;
  name: string | null;
  job_id: string;
  task: ModelVersion['task'];
  onnx_sha256: string;
  onnx_bytes: number;
  metadata_json: string;
  created_at: string;
};

const toModel = (r: Row): ModelVersion => {
  const metadata = JSON.parse(r.metadata_json) as ModelMetadata;
  return {
    id: r.id,
    name: r.name ?? null,
    jobId: r.job_id,
    task: r.task,
    classNames: metadata.classNames,
    onnxSha256: r.onnx_sha256,
    onnxBytes: r.onnx_bytes,
    metadata,
    createdAt: r.created_at,
  };
};

export class ModelVersionRepository {
  constructor(private readonly db: Db) {}

  insert(model: ModelVersion) {
    this.db
      .prepare(
        `INSERT INTO model_versions (id, name, job_id, task, onnx_sha256, onnx_bytes, metadata_json, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        model.id,
        model.name,
        model.jobId,
        model.task,
        model.onnxSha256,
        model.onnxBytes,
        JSON.stringify(model.metadata),
        model.createdAt,
      );
  }

  get(id: string) {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE id = ?').get(id) as
      Row | undefined;
    return row ? toModel(row) : undefined;
  }

  list() {
    const rows = this.db
      .prepare('SELECT * FROM model_versions ORDER BY created_at DESC')
      .all() as Row[];
    return rows.map(toModel);
  }

  rename(id: string, name: string | null) {
    this.db.prepare('UPDATE model_versions SET name = ? WHERE id = ?').run(name, id);
  }

  delete(id: string) {
    this.db.prepare('DELETE FROM model_versions WHERE id = ?').run(id);
  }
}
