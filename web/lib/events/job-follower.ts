import type { JobEvent } from '$contract';
import { parseCursor } from '$contract/live-events';
import { liveStatus, subscribeLive, type LiveHandler, type LiveStatus } from './live-events';

export type JobFollower<T> = {
  /** The page's snapshot from REST, once it has arrived. */
  loaded: (snapshot: T) => void;
  /** `id`: the event's id in the job's log (GET /api/jobs/:id/log answers the same ids). */
  event: (event: JobEvent, id: number) => void;
  error: (error: unknown) => void;
};

export type LiveStream = {
  subscribe: (handler: LiveHandler) => () => void;
  status: (handler: (s: LiveStatus) => void) => () => void;
};

/**
 * Follows one job on the shared stream. It subscribes, waits until the stream is open (the
 * server then has fixed where it starts) or cannot open, and only then loads the snapshot; the
 * job's events that arrive meanwhile are held and applied after it, so nothing falls between
 * the two. Events already applied (by their id in the job event log) are skipped.
 */
export function followJob<T>(
  jobId: string,
  load: () => Promise<T>,
  on: JobFollower<T>,
  live: LiveStream = { subscribe: subscribeLive, status: liveStatus },
): () => void {
  let held: { event: JobEvent; seq: number }[] | null = [];
  let applied = 0;
  let stopped = false;
  let loading = false;
  const unsubscribe = live.subscribe((message, id) => {
    if (message.type !== 'job' || message.jobId !== jobId) return;
    const seq = parseCursor(id)?.job ?? 0;
    if (seq <= applied) return;
    applied = seq;
    if (held) held.push({ event: message.event, seq });
    else on.event(message.event, seq);
  });
  const loaded = (snapshot: T) => {
    if (stopped) return;
    on.loaded(snapshot);
    for (const { event, seq } of held ?? []) on.event(event, seq);
    held = null;
  };
  const failed = (error: unknown) => {
    if (!stopped) on.error(error);
  };
  const unwatch = live.status((s) => {
    if (loading || s === 'connecting') return;
    loading = true;
    load().then(loaded, failed);
  });
  return () => {
    stopped = true;
    unwatch();
    unsubscribe();
  };
}
