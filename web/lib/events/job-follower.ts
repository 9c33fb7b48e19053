import type { JobEvent } from '$contract';
import { parseCursor } from '$contract/live-events';
import { liveStatus, subscribeLive, type LiveHandler, type LiveStatus } from './live-events';

export type JobFollower<T> = {
  /** The page's snapshot from REST, once it has arrived. */
  loaded: (snapshot: T) => void;
  event: (event: JobEvent) => void;
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
  let held: JobEvent[] | null = [];
  let applied = 0;
  let stopped = false;
  let loading = false;
  const unsubscribe = live.subscribe((message, id) => {
    if (message.type !== 'job' || message.jobId !== jobId) return;
    const seq = parseCursor(id)?.job ?? 0;
    if (seq <= applied) return;
    applied = seq;
    if (held) held.push(message.event);
    else on.event(message.event);
  });
  const loaded = (snapshot: T) => {
    if (stopped) return;
    on.loaded(snapshot);
    for (const event of held ?? []) on.event(event);
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
