import { z } from 'zod';
import { Sha256, Task } from './common';

/** Architectures built from Ultralytics' YAML files, so nothing is downloaded. */
export const ModelArchitecture = z.enum(['yolo11n', 'yolov8n']);
export type ModelArchitecture = z.infer<typeof ModelArchitecture>;

export const JobStatus = z.enum([
  'queued',
  'preparing',
  'training',
  'exporting',
  'completed',
  'failed',
  'cancelled',
]);
export type JobStatus = z.infer<typeof JobStatus>;
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export const CreateJobRequest = z.object({
  datasetVersionId: Sha256,
  task: Task.refine((t) => t === 'detect', {
    message: 'only detect training is available in this version',
  }),
  model: ModelArchitecture.default('yolo11n'),
  epochs: z.number().int().min(1).max(1000).default(10),
  imgsz: z
    .number()
    .int()
    .min(32)
    .max(1280)
    .refine((n) => n % 32 === 0, { message: 'image size must be a multiple of 32' })
    .default(320),
  batch: z.number().int().min(1).max(256).default(8),
  seed: z.number().int().min(0).default(0),
  valFraction: z.number().gt(0).lt(1).default(0.2),
});
export type CreateJobRequest = z.input<typeof CreateJobRequest>;
export type JobConfig = z.output<typeof CreateJobRequest>;

export const JobProgress = z.object({
  epoch: z.number().int().min(0),
  epochs: z.number().int().min(1),
  batch: z.number().int().min(0),
  batches: z.number().int().min(0),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.string(),
  status: JobStatus,
  config: CreateJobRequest,
  progress: JobProgress.nullable(),
  error: z.string().nullable(),
  modelVersionId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof Job>;

/** One epoch's numbers, keyed exactly as Ultralytics names them (e.g. "metrics/mAP50(B)"). */
export const EpochMetrics = z.object({
  epoch: z.number().int().min(1),
  metrics: z.record(z.string(), z.number()),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

/** What a job page hears on its live stream; each event carries an increasing id. */
export const JobEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: JobStatus, error: z.string().nullable() }),
  z.object({ type: z.literal('progress'), progress: JobProgress }),
  z.object({
    type: z.literal('epoch'),
    epoch: z.number().int(),
    metrics: z.record(z.string(), z.number()),
  }),
  z.object({ type: z.literal('model'), modelVersionId: z.string() }),
]);
export type JobEvent = z.infer<typeof JobEvent>;
