import type { LiveEvent } from '$contract';
import {
  BROADCAST_NAME,
  LEADER_LOCK,
  laterCursor,
  readMessage,
  type LeaderMessage,
  type LiveStatus,
} from './leader-protocol';
import { LiveConnection } from './live-connection';

export type { LiveStatus } from './leader-protocol';
export type LiveHandler = (event: LiveEvent, id: string) => void;

/*
 * One /api/events connection per browser, whatever the number of tabs (HTTP/1.1 allows six
 * event streams per host across all of them). Tabs elect a leader with the Web Locks API: the
 * tab holding the lock owns the EventSource and rebroadcasts each event on a BroadcastChannel;
 * when it closes, the browser hands the lock to a waiting tab, which reconnects from the last id
 * it heard. A SharedWorker would do the same with one connection, but Chrome on Android has no
 * SharedWorker (and phones are where Loupe is used), so it would only be a second code path.
 * Web Locks need a secure context: over plain http on a LAN address each tab connects alone.
 */

const handlers = new Set<LiveHandler>();
const statusHandlers = new Set<(s: LiveStatus) => void>();
let status: LiveStatus = 'connecting';
let lastId: string | null = null;
let session: { stop: () => void } | null = null;

function setStatus(next: LiveStatus, id: string | null) {
  lastId = laterCursor(lastId, id);
  if (next === status) return;
  status = next;
  for (const h of statusHandlers) h(next);
}

function deliver(event: LiveEvent, id: string) {
  lastId = laterCursor(lastId, id);
  for (const h of handlers) h(event, id);
}

/** This tab as leader: the connection, with every event and state also told to the other tabs. */
function lead(channel: BroadcastChannel | null) {
  const post = (m: LeaderMessage) => channel?.postMessage(m);
  return new LiveConnection(lastId, {
    event: (event, id) => {
      post({ kind: 'event', id, event });
      deliver(event, id);
    },
    status: (s, id) => {
      post({ kind: 'status', status: s, id });
      setStatus(s, id);
    },
  });
}

function start(): { stop: () => void } {
  if (
    typeof navigator === 'undefined' ||
    !navigator.locks ||
    typeof BroadcastChannel === 'undefined'
  ) {
    const alone = lead(null);
    return { stop: () => alone.stop() };
  }
  const channel = new BroadcastChannel(BROADCAST_NAME);
  let leader: LiveConnection | null = null;
  channel.onmessage = (e: MessageEvent<unknown>) => {
    const message = readMessage(e.data);
    if (message?.kind === 'event' && !leader) deliver(message.event, message.id);
    if (message?.kind === 'status' && !leader) setStatus(message.status, message.id);
    if (message?.kind === 'hello' && leader) {
      channel.postMessage({ kind: 'status', status, id: lastId } satisfies LeaderMessage);
    }
  };
  channel.postMessage({ kind: 'hello' } satisfies LeaderMessage);
  const abort = new AbortController();
  let release = () => {};
  navigator.locks
    .request(LEADER_LOCK, { signal: abort.signal }, () => {
      if (abort.signal.aborted) return;
      leader = lead(channel);
      // Held until this tab stops following (or closes, which frees the lock by itself).
      return new Promise<void>((resolve) => (release = resolve));
    })
    // Rejects with AbortError when this tab stops following before its turn to lead came.
    .catch(() => {});
  return {
    stop: () => {
      abort.abort();
      leader?.stop();
      leader = null;
      release();
      channel.close();
    },
  };
}

/**
 * Hears every live event (job events of any job, channel moves) over the one shared stream of
 * this browser. The connection starts with the first subscriber and stops with the last one of
 * this tab. `id` is the event's cursor in the stream ("<job event id>-<channel move id>").
 */
export function subscribeLive(handler: LiveHandler): () => void {
  handlers.add(handler);
  session ??= start();
  return () => {
    handlers.delete(handler);
    if (handlers.size > 0 || !session) return;
    session.stop();
    session = null;
    // A later subscriber starts from its own "now", not from events it never asked for.
    lastId = null;
    setStatus('connecting', null);
  };
}

/** Hears the connection's state now and on every change; it does not open the connection. */
export function liveStatus(handler: (s: LiveStatus) => void): () => void {
  statusHandlers.add(handler);
  handler(status);
  return () => {
    statusHandlers.delete(handler);
  };
}
