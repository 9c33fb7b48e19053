import { z } from 'zod';
import { EpochMetrics, ExternalRunConfig, JobProgress } from './job';

/**
 * Runs started by hand (a plain Ultralytics script with loupe_runner.report_run) report into the
 * same job log as queued jobs, with the user token: POST /api/runs registers one, then events
 * and a final status follow. The report events are the runner's, less status moves.
 */
export const ReportEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), progress: JobProgress }),
  z.object({ type: z.literal('epoch'), ...EpochMetrics.shape }),
  z.object({
    type: z.literal('notice'),
    level: z.enum(['info', 'warning']),
    message: z.string().min(1).max(2000),
  }),
]);
export type ReportEvent = z.infer<typeof ReportEvent>;

export const CreateExternalRunRequest = ExternalRunConfig;
export type CreateExternalRunRequest = z.input<typeof CreateExternalRunRequest>;

export const ExternalRunEventsRequest = z.object({
  events: z.array(ReportEvent).min(1).max(500),
});

/** Said once training ends; a run the user cancelled stays cancelled whatever comes here. */
export const FinishExternalRunRequest = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('completed'),
    metrics: z.record(z.string(), z.number()).optional(),
  }),
  z.object({ status: z.literal('failed'), error: z.string().min(1).max(4000) }),
]);
export type FinishExternalRunRequest = z.infer<typeof FinishExternalRunRequest>;

/** The answer to every report: a cancel from the web page reaches the script this way. */
export const ExternalRunReply = z.object({
  accepted: z.number().int().min(0),
  cancelRequested: z.boolean(),
});
