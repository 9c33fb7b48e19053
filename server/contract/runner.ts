import { z } from 'zod';
import { Sha256 } from './common';
import { QueueJob, RunnerHealth } from './job';
import { PretrainedFetch } from './pretrained';
import { ReportEvent } from './run';
import { JobSplit } from './split';

/** The gpu-runner protocol: plain HTTP, a bearer runner token, and a lease token per job. */
export const LeaseRequest = z.object({
  runnerId: z.string().min(1).max(120),
  device: z.string().max(120).optional(),
});

export const Checkpoint = z.object({
  epoch: z.number().int().min(1),
  sha256: Sha256,
  bytes: z.number().int().positive(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

/** A weights file the server resolved for a lease; the runner fetches it from /api/blobs. */
export const WeightsFile = z.object({
  sha256: Sha256,
  bytes: z.number().int().positive(),
});
export type WeightsFile = z.infer<typeof WeightsFile>;

export const Lease = z.object({
  /** Only queued jobs are leased; a run a script reports about itself never reaches a runner. */
  job: QueueJob,
  leaseToken: z.string(),
  leaseSeconds: z.number().int().positive(),
  /** Set when an earlier runner left a checkpoint: resume from it, never from epoch 0. */
  checkpoint: Checkpoint.nullable().default(null),
  /** The job's base weights (its config.baseWeights, resolved); null: built from YAML. */
  baseWeights: WeightsFile.nullable().default(null),
  /** Which photos to train, validate and test on, fixed when the job was created. */
  split: JobSplit,
  /** A pretrained start the server has no copy of (baseWeights is null then). */
  pretrained: PretrainedFetch.nullable().default(null),
});
export type Lease = z.infer<typeof Lease>;

/** Status moves a runner may report while it holds a lease. */
export const RunnerStatus = z.enum(['preparing', 'training', 'exporting']);

export const RunnerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: RunnerStatus }),
  ...ReportEvent.options,
]);
export type RunnerEvent = z.infer<typeof RunnerEvent>;

export const RunnerEventsRequest = z.object({
  leaseToken: z.string(),
  events: z.array(RunnerEvent).min(1).max(500),
});

export const HeartbeatRequest = z.object({
  leaseToken: z.string(),
  health: RunnerHealth.optional(),
});

/** Both heartbeat and event replies say whether the user asked to cancel, so a runner stops fast. */
export const RunnerReply = z.object({ cancelRequested: z.boolean() });

export const CompleteJobRequest = z.object({ leaseToken: z.string() });
export const FailJobRequest = z.object({
  leaseToken: z.string(),
  error: z.string().min(1).max(4000),
});

/**
 * Files a runner uploads for a job before it completes it. model.onnx and metadata.json are
 * required; the rest (best.pt, model-fp16.onnx, validation.json, Ultralytics' plots) are kept
 * with the job and shown.
 */
export const REQUIRED_ARTIFACTS = ['model.onnx', 'metadata.json'] as const;
export const ArtifactName = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,80}\.(onnx|json|pt|png|jpg|csv)$/, {
    message: 'artifact names are a plain file name ending in .onnx, .json, .pt, .png, .jpg or .csv',
  });
export type ArtifactName = z.infer<typeof ArtifactName>;
export const MAX_ARTIFACTS_PER_JOB = 40;
export const LEASE_TOKEN_HEADER = 'x-lease-token';
