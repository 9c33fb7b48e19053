import type { JobEvent } from '$contract';
import { subscribeLive } from '$lib/events/live-events';

/**
 * The dashboard hears every job's events on the browser's one shared live stream, so it can
 * follow any number of active jobs and see jobs started from another tab or device.
 */
export function followAllJobs(onEvent: (jobId: string, event: JobEvent) => void): () => void {
  return subscribeLive((live) => {
    if (live.type === 'job') onEvent(live.jobId, live.event);
  });
}
