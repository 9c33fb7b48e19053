import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import {
  FINAL_JOB_STATUSES,
  JOB_LOG_PAGE,
  MAX_ARTIFACTS_PER_JOB,
  type ArtifactName,
  type RunnerHealth,
  type Job,
  type JobConfig,
  type JobEventType,
  type JobLogQuery,
  JobStatus,
  type JobListQuery,
  type JobPage,
  type JobSplit,
  type Lease,
  type QueueJob,
  type RunnerEvent,
  type TrainingTimeQuery,
} from '../contract';
import { AppError, notFound } from '../http/app-error';
import type { JobRepository } from '../repositories/job.repository';
import { decodeJobCursor, encodeJobCursor } from './job-cursor';
import type { BlobService } from './blob.service';
import type { Clock } from './clock';
import type { DatasetService } from './dataset.service';
import type { JobEventBus } from './job-event-bus';
import type { JobLog } from './job-log';
import type { ModelService } from './model.service';
import { splitForJob, splitPreview, splitReport } from './job-split';
import { trainingTime } from './training-time';
import { trainingProblem } from './training-labels';
import type { WeightsService } from './weights.service';

/** The order a job moves through while a runner holds it; a report never moves it back. */
const RUNNING_ORDER: JobStatus[] = ['preparing', 'training', 'exporting'];

/** The training queue: jobs wait, runners lease them, report, upload and complete or fail them. */
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly log: JobLog,
    private readonly datasets: DatasetService,
    private readonly blobs: BlobService,
    private readonly models: ModelService,
    private readonly weights: WeightsService,
    private readonly bus: JobEventBus,
    private readonly clock: Clock,
    private readonly leaseSeconds: number,
  ) {}

  create(config: JobConfig): Job {
    const manifest = this.datasets.manifest(config.datasetVersionId);
    const problem = trainingProblem(manifest, config.task, config.annotationTypes);
    if (problem) throw new AppError(422, problem.code, problem.message, problem.hint);
    if (config.baseWeights) this.weights.resolve(config.baseWeights, config.task);
    const split = splitForJob(manifest, config);
    if (!split.ok) {
      throw new AppError(422, 'split_too_small', split.problem, 'Nothing was queued.');
    }
    const id = randomUUID();
    this.log.tx(() => {
      this.jobs.insert(id, config, split.split, this.log.nowIso());
      this.log.emit(id, { type: 'status', status: 'queued', error: null });
    });
    return this.get(id);
  }

  /** The counts a job with these settings would train on, computed as create() computes them. */
  previewSplit(config: JobConfig) {
    return splitPreview(this.datasets.manifest(config.datasetVersionId), config);
  }

  /** How long a job of this model, task and size would take on the runner, from past jobs. */
  trainingTime(ask: TrainingTimeQuery) {
    return trainingTime(this.jobs, ask);
  }

  /** Which photos the job trained, validated and tested on, with their file names. */
  split(id: string) {
    const job = this.get(id);
    if (job.origin !== 'queue') {
      throw new AppError(
        404,
        'no_split',
        `job ${id} was reported by a script: Loupe did not split its data`,
      );
    }
    const split = this.jobs.split(id) ?? this.fixSplit(job);
    return splitReport(id, this.datasets.manifest(job.config.datasetVersionId), job.config, split);
  }

  /** A job queued before splits were stored gets its split now, once, and keeps it. */
  private fixSplit(job: QueueJob): JobSplit {
    const result = splitForJob(this.datasets.manifest(job.config.datasetVersionId), job.config);
    const split = result.ok ? result.split : { train: [], val: [], test: [] };
    this.jobs.setSplit(job.id, split);
    return split;
  }

  get(id: string) {
    const job = this.jobs.get(id);
    if (!job) throw notFound('job', id);
    return job;
  }

  /** A page of jobs, newest first, and the counts over all of them. */
  list(query: z.output<typeof JobListQuery>): JobPage {
    const before = query.before === undefined ? undefined : decodeJobCursor(query.before);
    // One more than asked says whether an older page exists.
    const rows = this.jobs.page(query.limit + 1, before);
    const shown = rows.slice(0, query.limit);
    const byStatus = Object.fromEntries(
      JobStatus.options.map((s) => [s, 0]),
    ) as JobPage['byStatus'];
    for (const { status, n } of this.jobs.countByStatus()) byStatus[status] = n;
    return {
      jobs: shown.map((r) => r.job),
      total: Object.values(byStatus).reduce((a, b) => a + b, 0),
      byStatus,
      next: rows.length > query.limit ? encodeJobCursor(shown[shown.length - 1]!.cursor) : null,
    };
  }

  epochs(id: string) {
    this.get(id);
    return this.jobs.epochs(id);
  }

  /** The stored log (notices sent before a page opened, statuses), a page at a time. */
  storedEvents(id: string, query: JobLogQuery) {
    this.get(id);
    const types = query.types ? (query.types.split(',') as JobEventType[]) : null;
    return this.jobs.eventsOfTypes(id, types, query.after ?? 0, JOB_LOG_PAGE);
  }

  eventsAfter(id: string, afterId: number) {
    return this.jobs.eventsAfter(id, afterId);
  }

  subscribe(id: string, listener: Parameters<JobEventBus['subscribe']>[1]) {
    return this.bus.subscribe(id, listener);
  }

  /** Hands the oldest queued job to a runner, after returning abandoned leases to the queue. */
  lease(runnerId: string): Lease | null {
    return this.log.tx(() => {
      this.requeueExpired();
      let job: QueueJob | undefined;
      let baseWeights: Lease['baseWeights'] = null;
      while ((job = this.jobs.oldestQueued())) {
        const resolved = this.resolveBaseWeights(job);
        if (resolved !== false) {
          baseWeights = resolved;
          break;
        }
      }
      if (!job) return null;
      const leaseToken = randomUUID();
      this.jobs.setLease(job.id, leaseToken, runnerId, this.leaseDeadline());
      this.log.moveTo(job.id, 'preparing');
      const checkpoint = this.jobs.checkpoint(job.id);
      if (checkpoint) {
        this.log.notice(
          job.id,
          'info',
          `runner ${runnerId} resumes from the checkpoint of epoch ${checkpoint.epoch}`,
        );
      }
      return {
        job: this.leased(job.id),
        split: this.jobs.split(job.id) ?? this.fixSplit(job),
        leaseToken,
        leaseSeconds: this.leaseSeconds,
        checkpoint,
        baseWeights,
        pretrained: baseWeights ? null : this.weights.fetchOf(job.config.baseWeights),
      };
    });
  }

  /** The job as a runner receives it; only queued jobs are leased (oldestQueued sees no other). */
  private leased(id: string): QueueJob {
    const job = this.get(id);
    if (job.origin !== 'queue') throw new Error(`job ${id} is not from the queue`);
    return job;
  }

  /**
   * Resolved again at lease time, not only at creation: a hash taken off the allowlist since
   * stops the job here, failed with the reason, rather than reaching a runner. False: failed.
   */
  private resolveBaseWeights(job: QueueJob): Lease['baseWeights'] | false {
    const base = job.config.baseWeights;
    if (!base) return null;
    try {
      return this.weights.resolve(base, job.config.task);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const reason = `${error.message}.${error.hint ? ` ${error.hint}` : ''}`;
      this.log.moveTo(job.id, 'failed', `Its base weights cannot be used: ${reason}`);
      return false;
    }
  }

  heartbeat(id: string, leaseToken: string, health?: RunnerHealth) {
    return this.log.tx(() => {
      this.assertLease(id, leaseToken);
      this.jobs.renewLease(id, this.leaseDeadline());
      if (health) {
        this.jobs.setHealth(id, health);
        this.log.emit(id, { type: 'health', health });
      }
      return { leaseSeconds: this.leaseSeconds, cancelRequested: this.jobs.cancelRequested(id) };
    });
  }

  /**
   * A queued job is cancelled at once. A running one is marked; its runner learns of it at the
   * next heartbeat, stops within a batch and reports back, and the job ends as cancelled.
   */
  cancel(id: string) {
    return this.log.tx(() => {
      const job = this.get(id);
      if (FINAL_JOB_STATUSES.includes(job.status)) {
        throw new AppError(
          409,
          'job_finished',
          `job ${id} has already ended (${job.status})`,
          'Nothing to cancel.',
        );
      }
      this.jobs.requestCancel(id);
      if (job.status === 'queued') this.log.moveTo(id, 'cancelled', 'cancelled before it started');
      // Nothing on the server works on a reported run: it ends now, and the script hears of it
      // in the answer to its next report (or never, if it already died).
      if (job.origin === 'external') {
        this.log.moveTo(
          id,
          'cancelled',
          'cancelled from Loupe; the script stops at its next report',
        );
      }
      return this.get(id);
    });
  }

  /** Applies a runner's reports; a repeated epoch or status is stored once. */
  record(id: string, leaseToken: string, events: RunnerEvent[]) {
    return this.log.tx(() => {
      this.assertLease(id, leaseToken);
      for (const event of events) this.apply(id, event);
      return { accepted: events.length, cancelRequested: this.jobs.cancelRequested(id) };
    });
  }

  async putArtifact(id: string, leaseToken: string, name: ArtifactName, body: Readable | null) {
    this.assertLease(id, leaseToken);
    const existing = this.jobs.artifacts(id);
    if (existing.length >= MAX_ARTIFACTS_PER_JOB && !existing.some((a) => a.name === name)) {
      throw new AppError(
        413,
        'too_many_artifacts',
        `a job keeps at most ${MAX_ARTIFACTS_PER_JOB} files`,
      );
    }
    const mediaType = name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    const stored = await this.blobs.putArtifact(body, mediaType);
    this.assertLease(id, leaseToken);
    this.jobs.putArtifact(id, name, stored.sha256, stored.bytes);
    return stored;
  }

  /** Stores a resumable checkpoint; only a newer epoch replaces the one kept. */
  async putCheckpoint(id: string, leaseToken: string, epoch: number, body: Readable | null) {
    this.assertLease(id, leaseToken);
    const stored = await this.blobs.putArtifact(body, 'application/octet-stream');
    return this.log.tx(() => {
      this.assertLease(id, leaseToken);
      const checkpoint = { epoch, ...stored };
      if (this.jobs.setCheckpoint(id, checkpoint)) {
        this.log.notice(id, 'info', `checkpoint saved after epoch ${epoch}`);
      }
      return checkpoint;
    });
  }

  openCheckpoint(id: string, leaseToken: string) {
    this.assertLease(id, leaseToken);
    const checkpoint = this.jobs.checkpoint(id);
    if (!checkpoint) throw new AppError(404, 'not_found', `job ${id} has no checkpoint`);
    return this.blobs.open(checkpoint.sha256);
  }

  artifacts(id: string) {
    this.get(id);
    return this.jobs.artifacts(id);
  }

  openArtifact(id: string, name: string) {
    const artifact = this.artifacts(id).find((a) => a.name === name);
    if (!artifact) throw notFound(`artifact ${name} of job`, id);
    return this.blobs.open(artifact.sha256);
  }

  /** Registers the model version and completes the job in one transaction: all or nothing. */
  async complete(id: string, leaseToken: string) {
    const job = this.assertLease(id, leaseToken);
    if (this.jobs.cancelRequested(id)) {
      this.log.tx(() => {
        this.jobs.setLease(id, null, null, null);
        this.log.moveTo(id, 'cancelled', 'cancelled while the model was being exported');
      });
      throw new AppError(409, 'job_cancelled', 'the job was cancelled; no model was registered');
    }
    const model = await this.models.prepare(job, this.jobs.artifacts(id));
    this.log.tx(() => {
      this.assertLease(id, leaseToken);
      this.models.insert(model);
      this.jobs.setModelVersion(id, model.id, this.log.nowIso());
      this.jobs.setLease(id, null, null, null);
      // The model event goes first: a stream ends with the final status.
      this.log.emit(id, { type: 'model', modelVersionId: model.id });
      this.log.moveTo(id, 'completed');
    });
    return { modelVersionId: model.id };
  }

  fail(id: string, leaseToken: string, error: string) {
    this.log.tx(() => {
      this.assertLease(id, leaseToken);
      this.jobs.setLease(id, null, null, null);
      this.log.moveTo(id, this.jobs.cancelRequested(id) ? 'cancelled' : 'failed', error);
    });
    return {};
  }

  private apply(id: string, event: RunnerEvent) {
    switch (event.type) {
      case 'status': {
        const current = this.get(id).status;
        if (RUNNING_ORDER.indexOf(event.status) > RUNNING_ORDER.indexOf(current)) {
          this.log.moveTo(id, event.status);
        }
        return;
      }
      default:
        this.log.report(id, event);
    }
  }

  private assertLease(id: string, leaseToken: string) {
    const job = this.get(id);
    const lease = this.jobs.lease(id);
    const held =
      lease?.leaseToken === leaseToken &&
      (lease.leaseExpiresAt ?? 0) >= this.clock.now().getTime() &&
      !FINAL_JOB_STATUSES.includes(job.status);
    // A reported run never holds a lease (the schema forbids it); the check also narrows the type.
    if (!held || job.origin !== 'queue') {
      throw new AppError(
        409,
        'lease_lost',
        `this runner no longer holds job ${id}`,
        'Stop working on the job; another runner owns it or it has ended.',
      );
    }
    return job;
  }

  private requeueExpired() {
    for (const job of this.jobs.expiredLeases(this.clock.now().getTime())) {
      this.jobs.setLease(job.id, null, null, null);
      const from = job.checkpointEpoch
        ? `it resumes from the checkpoint of epoch ${job.checkpointEpoch}`
        : 'it starts again from epoch 1 (no checkpoint was saved yet)';
      this.log.notice(
        job.id,
        'warning',
        `the runner stopped reporting; the job went back to the queue and ${from}`,
      );
      this.log.moveTo(job.id, 'queued');
    }
  }

  private leaseDeadline() {
    return this.clock.now().getTime() + this.leaseSeconds * 1000;
  }
}
