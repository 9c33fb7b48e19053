import { randomUUID } from 'node:crypto';
import { ModelMetadata, REQUIRED_ARTIFACTS, type ModelVersion, type QueueJob } from '../contract';
import { AppError, notFound } from '../http/app-error';
import type { ChannelRepository } from '../repositories/channel.repository';
import type { ModelVersionRepository } from '../repositories/model-version.repository';
import type { BlobService } from './blob.service';
import type { Clock } from './clock';
import type { DatasetService } from './dataset.service';

type Artifact = { name: string; sha256: string; bytes: number };

/** The registry of trained model versions. A version exists only once all its files are stored. */
export class ModelService {
  constructor(
    private readonly models: ModelVersionRepository,
    private readonly channels: ChannelRepository,
    private readonly blobs: BlobService,
    private readonly datasets: DatasetService,
    private readonly clock: Clock,
  ) {}

  /** Checks a job's uploaded files and describes the model version they make; stores nothing. */
  async prepare(job: QueueJob, artifacts: Artifact[]): Promise<ModelVersion> {
    const onnx = artifacts.find((a) => a.name === 'model.onnx');
    const meta = artifacts.find((a) => a.name === 'metadata.json');
    if (!onnx || !meta) {
      throw new AppError(
        409,
        'artifacts_missing',
        `upload ${REQUIRED_ARTIFACTS.join(' and ')} before completing the job`,
      );
    }
    const metadata = this.parseMetadata(await this.blobs.readSmall(meta.sha256));
    const classes = this.datasets.get(job.config.datasetVersionId).classes;
    if (metadata.jobId !== job.id || metadata.datasetVersionId !== job.config.datasetVersionId) {
      throw new AppError(
        409,
        'metadata_mismatch',
        'metadata.json describes another job or dataset',
      );
    }
    if (JSON.stringify(metadata.classNames) !== JSON.stringify(classes)) {
      throw new AppError(
        409,
        'metadata_mismatch',
        "the model's class names differ from the dataset's",
      );
    }
    return {
      id: randomUUID(),
      name: job.config.modelName ?? null,
      jobId: job.id,
      task: metadata.task,
      classNames: metadata.classNames,
      onnxSha256: onnx.sha256,
      onnxBytes: onnx.bytes,
      metadata,
      createdAt: this.clock.now().toISOString(),
    };
  }

  insert(model: ModelVersion) {
    this.models.insert(model);
  }

  find(id: string) {
    return this.models.get(id) ?? null;
  }

  get(id: string) {
    const model = this.models.get(id);
    if (!model) throw notFound('model version', id);
    return model;
  }

  list() {
    return this.models.list();
  }

  /** Names (or, with null, un-names) a version; answers it as it is now. */
  rename(id: string, name: string | null) {
    this.get(id);
    this.models.rename(id, name);
    return this.get(id);
  }

  /**
   * Forgets a version. One a channel points at is refused: its clients would be left with
   * nothing to download. The files stay in the blob store (others may share them).
   */
  delete(id: string) {
    this.get(id);
    const channels = this.channels.pointingAt(id);
    if (channels.length > 0) {
      throw new AppError(
        409,
        'model_in_use',
        `model version ${id} is live on ${channels.join(', ')}`,
        'Promote another version to those channels (or roll them back) first.',
        { channels },
      );
    }
    this.models.delete(id);
  }

  openOnnx(id: string) {
    return this.blobs.open(this.get(id).onnxSha256);
  }

  private parseMetadata(bytes: Buffer) {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new AppError(400, 'invalid_metadata', 'metadata.json is not valid JSON');
    }
    const parsed = ModelMetadata.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        400,
        'invalid_metadata',
        `metadata.json: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return parsed.data;
  }
}
