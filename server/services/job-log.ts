import { FINAL_JOB_STATUSES, type JobEvent, type JobStatus, type ReportEvent } from '../contract';
import type { JobRepository, StoredJobEvent } from '../repositories/job.repository';
import type { Clock } from './clock';
import type { JobEventBus } from './job-event-bus';

/**
 * How every change to a job is written, whoever reports it (a runner, a script, the user): the
 * row and its event-log entry in one transaction, and live listeners hear the events only once
 * that transaction has committed, so a stream never shows what a rollback undid.
 */
export class JobLog {
  private readonly pending: { jobId: string; stored: StoredJobEvent }[] = [];

  constructor(
    private readonly jobs: JobRepository,
    private readonly bus: JobEventBus,
    private readonly clock: Clock,
  ) {}

  tx<T>(fn: () => T): T {
    try {
      const result = this.jobs.transaction(fn);
      for (const { jobId, stored } of this.pending.splice(0)) this.bus.publish(jobId, stored);
      return result;
    } catch (error) {
      this.pending.length = 0;
      throw error;
    }
  }

  emit(jobId: string, event: JobEvent) {
    this.pending.push({ jobId, stored: this.jobs.appendEvent(jobId, event, this.nowIso()) });
  }

  /** Also dates the job's start (its first move past the queue) and its end. */
  moveTo(id: string, status: JobStatus, error: string | null = null) {
    const now = this.nowIso();
    this.jobs.setStatus(id, status, error, now);
    if (FINAL_JOB_STATUSES.includes(status)) this.jobs.setFinished(id, now);
    else if (status !== 'queued') this.jobs.setStartedOnce(id, now);
    this.emit(id, { type: 'status', status, error });
  }

  notice(jobId: string, level: 'info' | 'warning', message: string) {
    this.emit(jobId, { type: 'notice', level, message });
  }

  /** Progress, an epoch (stored once per job and epoch, so a repeat changes nothing) or a notice. */
  report(id: string, event: ReportEvent) {
    switch (event.type) {
      case 'progress':
        this.jobs.setProgress(id, event.progress, this.nowIso());
        this.emit(id, { type: 'progress', progress: event.progress });
        return;
      case 'epoch':
        if (this.jobs.insertEpoch(id, { epoch: event.epoch, metrics: event.metrics })) {
          this.emit(id, { type: 'epoch', epoch: event.epoch, metrics: event.metrics });
        }
        return;
      case 'notice':
        this.notice(id, event.level, event.message);
        return;
    }
  }

  nowIso() {
    return this.clock.now().toISOString();
  }
}
