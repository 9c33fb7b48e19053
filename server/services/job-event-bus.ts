import type { StoredJobEvent } from '../repositories/job.repository';

type Listener = (event: StoredJobEvent) => void;
type AnyJobListener = (jobId: string, event: StoredJobEvent) => void;

/** In-process fan-out of stored job events to live streams. The database log is the truth. */
export class JobEventBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly everyJob = new Set<AnyJobListener>();

  /** Hears every job's events (webhooks). */
  subscribeAll(listener: AnyJobListener) {
    this.everyJob.add(listener);
    return () => this.everyJob.delete(listener);
  }

  subscribe(jobId: string, listener: Listener) {
    const set = this.listeners.get(jobId) ?? new Set();
    set.add(listener);
    this.listeners.set(jobId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }

  publish(jobId: string, event: StoredJobEvent) {
    for (const listener of this.listeners.get(jobId) ?? []) listener(event);
    for (const listener of this.everyJob) listener(jobId, event);
  }
}
