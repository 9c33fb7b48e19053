import type { Db } from '../repositories/database';
import { BlobRepository } from '../repositories/blob.repository';
import { BlobStore } from '../repositories/blob-store';
import { ChannelRepository } from '../repositories/channel.repository';
import { DatasetVersionRepository } from '../repositories/dataset-version.repository';
import { JobRepository } from '../repositories/job.repository';
import { ModelVersionRepository } from '../repositories/model-version.repository';
import { BlobService } from './blob.service';
import { ChannelService } from './channel.service';
import type { Clock } from './clock';
import { DatasetService } from './dataset.service';
import { JobEventBus } from './job-event-bus';
import { JobService } from './job.service';
import { ModelService } from './model.service';
import { WeightsService } from './weights.service';

export type Services = {
  bus: JobEventBus;
  blobs: BlobService;
  channels: ChannelService;
  datasets: DatasetService;
  jobs: JobService;
  models: ModelService;
  weights: WeightsService;
};

export type ServiceOptions = {
  db: Db;
  blobStore: BlobStore;
  clock: Clock;
  leaseSeconds: number;
  maxBlobBytes: number;
  /** SHA-256s of the base .pt files users may upload (LOUPE_TRUSTED_WEIGHTS). */
  trustedWeights: readonly string[];
};

/** Wires repositories into services; the one place that knows the whole object graph. */
export function createServices(o: ServiceOptions): Services {
  const blobs = new BlobService(o.blobStore, new BlobRepository(o.db), o.clock, o.maxBlobBytes);
  const datasets = new DatasetService(new DatasetVersionRepository(o.db), blobs, o.clock);
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
  const weights = new WeightsService(blobs, models, jobRepository, o.trustedWeights);
  const jobs = new JobService(
    jobRepository,
    datasets,
    blobs,
    models,
    weights,
    bus,
    o.clock,
    o.leaseSeconds,
  );
  return { bus, blobs, channels, datasets, jobs, models, weights };
}
