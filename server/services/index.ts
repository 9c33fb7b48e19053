import type { Db } from '../repositories/database';
import { BlobRepository } from '../repositories/blob.repository';
import { BlobStore } from '../repositories/blob-store';
import { ChannelRepository } from '../repositories/channel.repository';
import { DatasetVersionRepository } from '../repositories/dataset-version.repository';
import { JobRepository } from '../repositories/job.repository';
import { LabelSyncRepository } from '../repositories/label-sync.repository';
import { ModelVersionRepository } from '../repositories/model-version.repository';
import { UploadStore } from '../repositories/upload-store';
import { PredictorService } from '../prediction/predictor.service';
import { defaultLimits, type Limits } from '../env';
import { BlobService } from './blob.service';
import { BundleService } from './bundle.service';
import { ChannelService } from './channel.service';
import { ConnectService } from './connect.service';
import type { Clock } from './clock';
import { DatasetService } from './dataset.service';
import { EventTicketService } from './event-ticket.service';
import { ExternalRunService } from './external-run.service';
import { HealthService } from './health.service';
import { JobEventBus } from './job-event-bus';
import { JobLog } from './job-log';
import { JobService } from './job.service';
import { LabelSyncService } from './label-sync.service';
import { LiveEventService } from './live-events.service';
import { ModelService } from './model.service';
import { PairingService } from './pairing.service';
import { UploadService } from './upload.service';
import { PretrainedService } from './pretrained.service';
import { WeightsService } from './weights.service';

export type Services = {
  /** The LOUPE_MAX_* limits in force (the HTTP layer reads the JSON body limit here). */
  limits: Limits;
  /** Dataset versions as one .zip, exported and imported. */
  bundles: BundleService;
  bus: JobEventBus;
  blobs: BlobService;
  channels: ChannelService;
  datasets: DatasetService;
  jobs: JobService;
  /** Label edits as a per-device mutation log, with conflicts (docs/sync-protocol.md). */
  labelSync: LabelSyncService;
  /** Runs a script started by hand reports about itself (POST /api/runs). */
  runs: ExternalRunService;
  models: ModelService;
  weights: WeightsService;
  /** Ultralytics' official pretrained files in the server's weights folder. */
  pretrained: PretrainedService;
  /** Resumable image uploads (tus) under /api/uploads. */
  uploads: UploadService;
  live: LiveEventService;
  eventTickets: EventTicketService;
  /** Single-use codes that log a new device (a phone) in. */
  pairing: PairingService;
  /** How a phone reaches this server (addresses, TLS, the CA's onboarding page). */
  connect: ConnectService;
  predictor: PredictorService;
  health: HealthService;
};

export type ServiceOptions = {
  db: Db;
  blobStore: BlobStore;
  clock: Clock;
  leaseSeconds: number;
  maxBlobBytes: number;
  /** SHA-256s of the base .pt files users may upload (LOUPE_TRUSTED_WEIGHTS). */
  trustedWeights: readonly string[];
  /** The folder of official pretrained .pt files (LOUPE_DATA_DIR/weights), and its pins. */
  pretrained: {
    folder: string;
    label: string;
    pins: Readonly<Record<string, string>>;
    /** Runners may fetch a file the server lacks (LOUPE_PRETRAINED_DOWNLOAD). */
    download: boolean;
  };
  /** LOUPE_MAX_* limits; each one left out has its default. */
  limits?: Partial<Limits>;
  /** The largest image predict accepts; defaults to maxBlobBytes. */
  maxPredictBytes?: number;
  /** How long an unfinished resumable upload is kept (LOUPE_UPLOAD_EXPIRY_HOURS); default a day. */
  uploadExpiryMs?: number;
};

/** Wires repositories into services; the one place that knows the whole object graph. */
export function createServices(o: ServiceOptions): Services {
  const limits = { ...defaultLimits, ...o.limits };
  const blobs = new BlobService(
    o.blobStore,
    new BlobRepository(o.db),
    o.clock,
    o.maxBlobBytes,
    limits.maxImagePixels,
  );
  const uploadStore = new UploadStore(o.blobStore.uploadsDir, o.uploadExpiryMs ?? 86_400_000);
  const uploads = new UploadService(uploadStore, blobs, o.maxBlobBytes);
  const datasets = new DatasetService(new DatasetVersionRepository(o.db), blobs, o.clock);
  const labelSync = new LabelSyncService(new LabelSyncRepository(o.db), datasets, o.clock);
  const bundles = new BundleService(datasets, o.blobStore, new BlobRepository(o.db), o.clock, {
    ...limits,
    maxBlobBytes: o.maxBlobBytes,
  });
  const channelRepository = new ChannelRepository(o.db);
  const models = new ModelService(
    new ModelVersionRepository(o.db),
    channelRepository,
    blobs,
    datasets,
    o.clock,
  );
  const channels = new ChannelService(channelRepository, models, o.clock);
  const bus = new JobEventBus();
  const jobRepository = new JobRepository(o.db);
  const pretrained = new PretrainedService(blobs, o.pretrained);
  const weights = new WeightsService(blobs, models, jobRepository, o.trustedWeights, pretrained);
  const jobLog = new JobLog(jobRepository, bus, o.clock);
  const jobs = new JobService(
    jobRepository,
    jobLog,
    datasets,
    blobs,
    models,
    weights,
    bus,
    o.clock,
    o.leaseSeconds,
  );
  const runs = new ExternalRunService(jobRepository, jobLog, jobs);
  const predictor = new PredictorService(models, {
    maxImageBytes: o.maxPredictBytes ?? o.maxBlobBytes,
  });
  const health = new HealthService(o.clock, () => predictor.status());
  const live = new LiveEventService(jobRepository, channels, bus);
  const eventTickets = new EventTicketService(o.clock);
  return {
    limits,
    bundles,
    live,
    eventTickets,
    pairing: new PairingService(o.clock),
    connect: new ConnectService(),
    bus,
    blobs,
    channels,
    datasets,
    labelSync,
    jobs,
    runs,
    models,
    weights,
    pretrained,
    uploads,
    predictor,
    health,
  };
}
