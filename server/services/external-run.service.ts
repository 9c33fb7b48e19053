import { randomUUID } from 'node:crypto';
import {
  FINAL_JOB_STATUSES,
  type ExternalJob,
  type ExternalRunConfig,
  type FinishExternalRunRequest,
  type ReportEvent,
} from '../contract';
import { AppError } from '../http/app-error';
import type { JobRepository } from '../repositories/job.repository';
import type { JobLog } from './job-log';
import type { JobService } from './job.service';

/**
 * Training runs started by hand (plain Ultralytics with loupe_runner.report_run) that report
 * themselves. They are jobs of origin 'external': listed, streamed and shown like queued jobs,
 * but never leased; they start as training and end when the script finishes them or the user
 * cancels them (JobService.cancel ends them at once; the script hears it in its next answer).
 */
export class ExternalRunService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly log: JobLog,
    private readonly queue: JobService,
  ) {}

  create(config: ExternalRunConfig) {
    const id = randomUUID();
    this.log.tx(() => {
      this.jobs.insertExternal(id, config, this.log.nowIso());
      this.log.emit(id, { type: 'status', status: 'training', error: null });
    });
    return this.run(id);
  }

  /** Events after the run ended are dropped; a cancelled run says so, so the script stops. */
  report(id: string, events: ReportEvent[]) {
    return this.log.tx(() => {
      const run = this.run(id);
      if (run.status === 'cancelled') return { accepted: 0, cancelRequested: true };
      this.assertOpen(run);
      for (const event of events) this.log.report(id, event);
      return { accepted: events.length, cancelRequested: false };
    });
  }

  /** Repeating the same end is harmless (a retried request); a user's cancel always stands. */
  finish(id: string, request: FinishExternalRunRequest) {
    return this.log.tx(() => {
      const run = this.run(id);
      if (run.status === 'cancelled' || run.status === request.status) return run;
      this.assertOpen(run);
      if (request.status === 'completed') {
        if (request.metrics) this.jobs.setFinalMetrics(id, request.metrics);
        this.log.moveTo(id, 'completed');
      } else {
        this.log.moveTo(id, 'failed', request.error);
      }
      return this.run(id);
    });
  }

  private run(id: string): ExternalJob {
    const job = this.queue.get(id);
    if (job.origin !== 'external') {
      throw new AppError(
        409,
        'not_external',
        `job ${id} is a queued job; only the runner that leases it reports on it`,
        'Register your own run with POST /api/runs and report to the id it answers.',
      );
    }
    return job;
  }

  private assertOpen(run: ExternalJob) {
    if (FINAL_JOB_STATUSES.includes(run.status)) {
      throw new AppError(
        409,
        'job_finished',
        `run ${run.id} has already ended (${run.status})`,
        'Register a new run for a new training.',
      );
    }
  }
}
