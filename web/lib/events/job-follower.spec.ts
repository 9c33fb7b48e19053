import { describe, expect, it } from 'vitest';
import type { JobEvent, LiveEvent } from '$contract';
import { followJob } from './job-follower';
import type { LiveHandler, LiveStatus } from './live-events';

const status = (s: 'training' | 'completed'): JobEvent => ({
  type: 'status',
  status: s,
  error: null,
});
const job = (jobId: string, event: JobEvent): LiveEvent => ({ type: 'job', jobId, event });

/** A stand-in for the shared stream: the test pushes events and states into its subscribers. */
function stream() {
  let handler: LiveHandler | null = null;
  let watcher: ((s: LiveStatus) => void) | null = null;
  return {
    subscribe: (h: LiveHandler) => {
      handler = h;
      return () => (handler = null);
    },
    status: (w: (s: LiveStatus) => void) => {
      watcher = w;
      w('connecting');
      return () => (watcher = null);
    },
    push: (event: LiveEvent, id: string) => handler?.(event, id),
    set: (s: LiveStatus) => watcher?.(s),
    get open() {
      return handler !== null;
    },
  };
}

describe('followJob', () => {
  it('loads once the stream is open, then applies the events held meanwhile, each once', async () => {
    const s = stream();
    const seen: string[] = [];
    let resolve: (v: string) => void = () => {};
    let loads = 0;
    const load = () => {
      loads++;
      return new Promise<string>((r) => (resolve = r));
    };
    const stop = followJob(
      'a',
      load,
      {
        loaded: (snapshot) => seen.push(`snapshot ${snapshot}`),
        event: (e) => seen.push(e.type === 'status' ? e.status : e.type),
        error: () => seen.push('error'),
      },
      s,
    );
    // Loading before the server fixed where the stream starts could miss what comes between.
    expect(loads).toBe(0);
    s.set('open');
    s.set('reconnecting');
    expect(loads).toBe(1);
    s.push(job('a', status('training')), '4-0');
    s.push(job('b', status('training')), '5-0');
    s.push({ type: 'channel', move: {} as never }, '5-1');
    resolve('loaded');
    await new Promise((r) => setTimeout(r, 0));
    s.push(job('a', status('completed')), '6-1');
    s.push(job('a', status('training')), '6-1');
    expect(seen).toEqual(['snapshot loaded', 'training', 'completed']);
    stop();
    expect(s.open).toBe(false);
  });

  it('loads anyway when the stream cannot open, and reports a load that fails', async () => {
    const errors: unknown[] = [];
    const on = { loaded: () => {}, event: () => {}, error: (e: unknown) => errors.push(e) };
    const offline = stream();
    followJob('a', () => Promise.reject(new Error('gone')), on, offline);
    offline.set('offline');
    const stopped = stream();
    const stop = followJob('a', () => Promise.reject(new Error('late')), on, stopped);
    stopped.set('open');
    stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toEqual([new Error('gone')]);
  });
});
