import type { Readable } from 'node:stream';
import type { BaseWeights, PretrainedFetch, Task, WeightsFile } from '../contract';
import { AppError } from '../http/app-error';
import type { JobRepository } from '../repositories/job.repository';
import type { BlobService } from './blob.service';
import type { ModelService } from './model.service';
import type { PretrainedService } from './pretrained.service';

/** The artifact a model version is fine-tuned from; our runner uploads it with every model. */
export const FINE_TUNE_ARTIFACT = 'best.pt';

/**
 * Base weights for fine-tuning. Ultralytics loads a .pt with Python's pickle, which runs whatever
 * code the file holds on the runner, so a job may start only from weights the server can vouch
 * for: an earlier model version (its best.pt, written by our runner) or an upload whose SHA-256
 * an operator pinned in LOUPE_TRUSTED_WEIGHTS. Ultralytics' official pretrained files are the
 * third source (PretrainedService); the runner opens every one with its restricted loader.
 */
export class WeightsService {
  private readonly trusted: ReadonlySet<string>;

  constructor(
    private readonly blobs: BlobService,
    private readonly models: ModelService,
    private readonly jobs: JobRepository,
    trusted: readonly string[],
    private readonly pretrained: PretrainedService,
  ) {
    this.trusted = new Set(trusted);
  }

  /** Stores an uploaded .pt only when its hash is on the allowlist; anything else is refused. */
  upload(body: Readable | null): Promise<WeightsFile> {
    return this.blobs.putArtifact(body, 'application/octet-stream', ({ sha256 }) =>
      this.assertTrusted(sha256),
    );
  }

  /**
   * The file a job with these base weights starts from, or why it cannot; null: a pretrained
   * start the server holds no copy of, which the runner fetches itself (`fetchOf`).
   */
  resolve(base: BaseWeights, task: Task): WeightsFile | null {
    if (base.kind === 'pretrained') return this.pretrained.resolve(base.name).file;
    return base.kind === 'model-version'
      ? this.ofModelVersion(base.modelVersionId, task)
      : this.ofUpload(base.sha256);
  }

  /** What the runner needs to fetch a pretrained file itself; null for any other start. */
  fetchOf(base: BaseWeights | undefined): PretrainedFetch | null {
    return base?.kind === 'pretrained' ? this.pretrained.resolve(base.name).fetch : null;
  }

  private ofModelVersion(id: string, task: Task): WeightsFile {
    const model = this.models.find(id);
    if (!model) {
      throw new AppError(
        422,
        'unknown_model_version',
        `model version ${id} does not exist, so the job cannot start from it`,
        'Pick a model version from the list, or start from scratch.',
      );
    }
    if (model.task !== task) {
      throw new AppError(
        422,
        'base_weights_task',
        `model version ${id} is a ${model.task} model and this job trains ${task}`,
        `Start from a ${task} model version, or from scratch.`,
      );
    }
    const best = this.jobs.artifacts(model.jobId).find((a) => a.name === FINE_TUNE_ARTIFACT);
    if (!best) {
      throw new AppError(
        422,
        'base_weights_missing',
        `model version ${id} has no ${FINE_TUNE_ARTIFACT} to fine-tune from (its runner did not upload one)`,
        'Start from another model version, or from scratch.',
      );
    }
    return { sha256: best.sha256, bytes: best.bytes };
  }

  private ofUpload(sha256: string): WeightsFile {
    this.assertTrusted(sha256);
    const blob = this.blobs.get(sha256);
    if (!blob) {
      throw new AppError(
        422,
        'base_weights_missing',
        `the weights ${sha256} are allowed but have not been uploaded`,
        'Upload the .pt with PUT /api/weights first.',
      );
    }
    return { sha256, bytes: blob.bytes };
  }

  private assertTrusted(sha256: string) {
    if (this.trusted.has(sha256)) return;
    throw new AppError(
      422,
      'untrusted_weights',
      `the weights with SHA-256 ${sha256} are not on this server's allowlist. Ultralytics loads ` +
        'a .pt file with Python pickle, which can run any code on the GPU machine, so only ' +
        'weights pinned by their SHA-256 (and model versions trained here) are accepted',
      `If you trust this file, add ${sha256} to LOUPE_TRUSTED_WEIGHTS (comma-separated) in the ` +
        "server's environment, restart the server and upload it again.",
    );
  }
}
