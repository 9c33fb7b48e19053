import { z } from 'zod';
import { Sha256, Task } from './common';
import { describePretrained, PretrainedName } from './pretrained';

/**
 * Architectures built from Ultralytics' YAML files (the scale letter picks the size: nano to
 * extra large), so nothing is downloaded.
 */
export const ModelArchitecture = z.enum([
  'yolo11n',
  'yolo11s',
  'yolo11m',
  'yolo11l',
  'yolo11x',
  'yolov8n',
  'yolov8s',
  'yolov8m',
  'yolov8l',
  'yolov8x',
]);
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

export const Optimizer = z.enum(['auto', 'SGD', 'Adam', 'AdamW', 'NAdam', 'RAdam', 'RMSProp']);

/**
 * Ultralytics training settings a user may change. Each is optional: what is left out takes
 * Ultralytics' own default (HYPERPARAMETER_DEFAULTS shows them), so defaults live in one place.
 * Names are camelCase here; the runner maps them to Ultralytics' snake_case arguments.
 */
export const Hyperparameters = z
  .object({
    optimizer: Optimizer,
    lr0: z.number().gt(0).max(1),
    lrf: z.number().gt(0).max(1),
    momentum: z.number().min(0).max(1),
    weightDecay: z.number().min(0).max(0.1),
    warmupEpochs: z.number().min(0).max(50),
    patience: z.number().int().min(1).max(1000),
    mosaic: z.number().min(0).max(1),
    mixup: z.number().min(0).max(1),
    fliplr: z.number().min(0).max(1),
    flipud: z.number().min(0).max(1),
    hsvH: z.number().min(0).max(1),
    hsvS: z.number().min(0).max(1),
    hsvV: z.number().min(0).max(1),
    degrees: z.number().min(0).max(180),
    closeMosaic: z.number().int().min(0).max(1000),
    freeze: z.number().int().min(0).max(30),
  })
  .partial()
  .strict();
export type Hyperparameters = z.infer<typeof Hyperparameters>;

/** Ultralytics 8.4's defaults for the settings above, shown to users as the starting point. */
export const HYPERPARAMETER_DEFAULTS: Required<Hyperparameters> = {
  optimizer: 'auto',
  lr0: 0.01,
  lrf: 0.01,
  momentum: 0.937,
  weightDecay: 0.0005,
  warmupEpochs: 3,
  patience: 100,
  mosaic: 1,
  mixup: 0,
  fliplr: 0.5,
  flipud: 0,
  hsvH: 0.015,
  hsvS: 0.7,
  hsvV: 0.4,
  degrees: 0,
  closeMosaic: 10,
  freeze: 0,
};

/**
 * What a fine-tuning job starts from instead of the architecture's YAML. Ultralytics loads a .pt
 * with full pickle, so only weights the server can vouch for are accepted: an earlier model
 * version (its best.pt, written by our runner) or an upload whose SHA-256 is on the server's
 * allowlist (LOUPE_TRUSTED_WEIGHTS), or Ultralytics' official pretrained file of that name
 * (the server's copy, else fetched by the runner). The runner opens every .pt with a restricted
 * loader that refuses anything but an Ultralytics model.
 */
export const BaseWeights = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('model-version'), modelVersionId: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('uploaded'), sha256: Sha256 }),
  z.object({ kind: z.literal('pretrained'), name: PretrainedName }),
]);
export type BaseWeights = z.infer<typeof BaseWeights>;

/**
 * Which labels a detect or segment job learns from. Detect: boxes, outlines as their bounding
 * boxes, or both. Segment learns outlines; "both" also turns boxes into four-corner outlines
 * (rectangles), and "boxes" alone is refused: a box cannot become a real outline. Classify
 * learns image classes and ignores it.
 */
export const AnnotationTypes = z.enum(['boxes', 'outlines', 'both']);
export type AnnotationTypes = z.infer<typeof AnnotationTypes>;

/** The job settings without the checks that span fields (zod cannot .omit() a refined object). */
export const JobSettings = z.object({
  datasetVersionId: Sha256,
  task: Task,
  model: ModelArchitecture.default('yolo11n'),
  epochs: z.number().int().min(1).max(1000).default(10),
  imgsz: z
    .number()
    .int()
    .min(32)
    .max(1280)
    .refine((n) => n % 32 === 0, { message: 'image size must be a multiple of 32' })
    .default(320),
  /** Images per batch, or "auto" to let Ultralytics fit the batch to the GPU's memory. */
  batch: z.union([z.number().int().min(1).max(256), z.literal('auto')]).default(8),
  seed: z.number().int().min(0).default(0),
  valFraction: z.number().gt(0).lt(1).default(0.2),
  /** Held out for a final, separate evaluation; 0: no test split. */
  testFraction: z.number().min(0).lt(1).default(0),
  /**
   * No longer used: photos are split by their hash (split.ts), so a photo's side cannot depend on
   * the other photos' classes. Kept so that older clients' requests still parse.
   */
  stratify: z.boolean().default(true),
  annotationTypes: AnnotationTypes.default('both'),
  /** Upload a resumable checkpoint every this many epochs. */
  checkpointEvery: z.number().int().min(1).max(100).default(5),
  hyperparameters: Hyperparameters.default({}),
  /** Absent: a new model built from the architecture's YAML. */
  baseWeights: BaseWeights.optional(),
  /** The name the model version gets (renamed on its page later); the runner ignores it. */
  modelName: z.string().trim().min(1).max(80).optional(),
});

/** Checks across fields: the splits must leave images to train on; segment needs outlines. */
export function checkJobSettings(config: z.output<typeof JobSettings>, ctx: z.RefinementCtx) {
  const { valFraction: val, testFraction: test } = config;
  if (val + test >= 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['testFraction'],
      message: `validation (${val}) and test (${test}) shares leave nothing to train on: together they must be below 1`,
    });
  }
  const base = config.baseWeights;
  const held = base?.kind === 'pretrained' ? describePretrained(base.name)?.task : undefined;
  if (base?.kind === 'pretrained' && held && held !== config.task) {
    ctx.addIssue({
      code: 'custom',
      path: ['baseWeights'],
      message: `${base.name} is a ${held} model and this job trains ${config.task}`,
    });
  }
  if (config.task === 'segment' && config.annotationTypes === 'boxes') {
    ctx.addIssue({
      code: 'custom',
      path: ['annotationTypes'],
      message: 'segment learns outlines, and a box cannot become an outline: use outlines',
    });
  }
}

export const CreateJobRequest = JobSettings.superRefine(checkJobSettings);
export type CreateJobRequest = z.input<typeof CreateJobRequest>;
export type JobConfig = z.output<typeof CreateJobRequest>;

export const JobProgress = z.object({
  epoch: z.number().int().min(0),
  epochs: z.number().int().min(1),
  batch: z.number().int().min(0),
  batches: z.number().int().min(0),
  /** The runner's estimate of the time left, from the trainer's own timing. */
  etaSeconds: z.number().min(0).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

/** What a runner's machine looks like while it trains, sent with every heartbeat. */
export const RunnerHealth = z.object({
  runnerId: z.string(),
  device: z.string(),
  cpuPercent: z.number().min(0).optional(),
  memoryUsedBytes: z.number().min(0).optional(),
  memoryTotalBytes: z.number().min(0).optional(),
  diskFreeBytes: z.number().min(0).optional(),
  gpus: z
    .array(
      z.object({
        name: z.string(),
        utilizationPercent: z.number().min(0).optional(),
        memoryUsedBytes: z.number().min(0).optional(),
        memoryTotalBytes: z.number().min(0).optional(),
        temperatureC: z.number().optional(),
      }),
    )
    .default([]),
});
export type RunnerHealth = z.infer<typeof RunnerHealth>;

/**
 * What a training script started by hand (plain Ultralytics, loupe_runner.report_run) says about
 * its run when it registers it. Nothing here is checked against a dataset: the script brought
 * its own data, so the model is whatever it gave Ultralytics ("yolo11n.yaml", "best.pt").
 */
export const ExternalRunConfig = z.object({
  name: z.string().trim().min(1).max(120),
  task: Task,
  model: z.string().trim().min(1).max(200),
  epochs: z.number().int().min(1).max(100_000),
  imgsz: z.number().int().min(1).max(100_000),
});
export type ExternalRunConfig = z.infer<typeof ExternalRunConfig>;

const jobFields = {
  id: z.string(),
  status: JobStatus,
  progress: JobProgress.nullable(),
  health: RunnerHealth.nullable(),
  /** The last epoch a checkpoint was uploaded for; a requeued job resumes from it. */
  checkpointEpoch: z.number().int().nullable(),
  error: z.string().nullable(),
  modelVersionId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When a runner first leased it (a reported run: when the script registered it). */
  startedAt: z.string().nullable(),
  /** When it reached completed, failed or cancelled. */
  finishedAt: z.string().nullable(),
};

/** A job from the queue: a runner leases it, trains it on a dataset version, registers a model. */
export const QueueJob = z.object({
  origin: z.literal('queue'),
  config: CreateJobRequest,
  ...jobFields,
});
export type QueueJob = z.infer<typeof QueueJob>;

/**
 * A run a script reports about itself (POST /api/runs): never queued, never leased, no dataset
 * version and no model version; it ends when the script says so or the user cancels it.
 */
export const ExternalJob = z.object({
  origin: z.literal('external'),
  config: ExternalRunConfig,
  /** The script's final validation (Ultralytics validates best.pt once training ends). */
  finalMetrics: z.record(z.string(), z.number()).nullable(),
  ...jobFields,
});
export type ExternalJob = z.infer<typeof ExternalJob>;

/** Both kinds share the event log, epochs, live stream and job page. */
export const Job = z.discriminatedUnion('origin', [QueueJob, ExternalJob]);
export type Job = z.infer<typeof Job>;

/**
 * Keys the runner adds to an epoch's Ultralytics metrics: the epoch's wall time (training and
 * validation, seconds) and the most GPU memory reserved during it (GiB; absent on a CPU).
 */
export const EPOCH_TIME_KEY = 'time/epoch';
export const GPU_MEMORY_KEY = 'gpu/mem_reserved_gb';

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
  z.object({ type: z.literal('health'), health: RunnerHealth }),
  z.object({
    type: z.literal('notice'),
    level: z.enum(['info', 'warning']),
    message: z.string(),
  }),
]);
export type JobEvent = z.infer<typeof JobEvent>;

/** A job event as its log keeps it: `id` is the one the live stream sends it with. */
export const StoredJobEvent = z.object({ id: z.number().int().min(1), event: JobEvent });
export type StoredJobEvent = z.infer<typeof StoredJobEvent>;

const JOB_EVENT_TYPES = JobEvent.options.map((o) => o.shape.type.value);
export type JobEventType = JobEvent['type'];
/** The most events one read of a job's log answers; `after` pages on. */
export const JOB_LOG_PAGE = 1000;

/** GET /api/jobs/:id/log: which events (by type, comma-separated) and after which id. */
export const JobLogQuery = z.object({
  types: z
    .string()
    .regex(new RegExp(`^(${JOB_EVENT_TYPES.join('|')})(,(${JOB_EVENT_TYPES.join('|')}))*$`))
    .optional()
    .meta({ description: `comma-separated, of ${JOB_EVENT_TYPES.join(', ')}; left out: all` }),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({
      description: `only events with a larger id; at most ${JOB_LOG_PAGE} are answered at a time`,
    }),
});
export type JobLogQuery = z.infer<typeof JobLogQuery>;

/** The most jobs one read of GET /api/jobs answers; `before` pages on to older ones. */
export const JOB_PAGE_MAX = 500;

/** GET /api/jobs: the newest `limit` jobs, or those older than the `before` cursor. */
export const JobListQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(JOB_PAGE_MAX)
    .default(100)
    .meta({ description: `jobs per page, newest first; at most ${JOB_PAGE_MAX}` }),
  before: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "a page's `next`: the jobs older than that page" }),
});
export type JobListQuery = z.input<typeof JobListQuery>;

/** One page of jobs, newest first, with counts over every job (not just this page). */
export const JobPage = z.object({
  jobs: z.array(Job),
  /** Every job the server keeps. */
  total: z.number().int().min(0),
  /** Every job the server keeps, by status. */
  byStatus: z.record(JobStatus, z.number().int().min(0)),
  /** Pass as `before` for the next, older page; null on the last page. */
  next: z.string().nullable(),
});
export type JobPage = z.infer<typeof JobPage>;
