import { z } from 'zod';
import { EpochMetrics, Job, JobProgress } from './job';

/** The gpu-runner protocol: plain HTTP, a bearer runner token, and a lease token per job. */
export const LeaseRequest = z.object({
  runnerId: z.string().min(1).max(120),
  device: z.string().max(120).optional(),
});

export const Lease = z.object({
  job: Job,
  leaseToken: z.string(),
  leaseSeconds: z.number().int().positive(),
});
export type Lease = z.infer<typeof Lease>;

/** Status moves a runner may report while it holds a lease. */
export const RunnerStatus = z.enum(['preparing', 'training', 'exporting']);

export const RunnerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: RunnerStatus }),
  z.object({ type: z.literal('progress'), progress: JobProgress }),
  z.object({ type: z.literal('epoch'), ...EpochMetrics.shape }),
]);
export type RunnerEvent = z.infer<typeof RunnerEvent>;

export const RunnerEventsRequest = z.object({
  leaseToken: z.string(),
  events: z.array(RunnerEvent).min(1).max(500),
});

export const CompleteJobRequest = z.object({ leaseToken: z.string() });
export const FailJobRequest = z.object({
  leaseToken: z.string(),
  error: z.string().min(1).max(4000),
});

/** Files a runner uploads for a job before it completes it. */
export const ArtifactName = z.enum(['model.onnx', 'metadata.json']);
export type ArtifactName = z.infer<typeof ArtifactName>;
export const LEASE_TOKEN_HEADER = 'x-lease-token';
