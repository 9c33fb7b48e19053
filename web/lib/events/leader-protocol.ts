import { z } from 'zod';
import { LiveEvent } from '$contract';
import { parseCursor } from '$contract/live-events';

/** Names shared by every tab of this origin: the lock one leader holds and its broadcast. */
export const LEADER_LOCK = 'loupe-live-events';
export const BROADCAST_NAME = 'loupe-live-events';

export const LiveStatus = z.enum(['connecting', 'open', 'reconnecting', 'offline']);
export type LiveStatus = z.infer<typeof LiveStatus>;

/**
 * What tabs say on the broadcast channel. The leader sends every event and each change of the
 * connection's state with the cursor it stands at, so whichever tab leads next resumes there;
 * a tab that starts following says `hello` and the leader answers with its state.
 */
export const LeaderMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), id: z.string(), event: LiveEvent }),
  z.object({ kind: z.literal('status'), status: LiveStatus, id: z.string().nullable() }),
  z.object({ kind: z.literal('hello') }),
]);
export type LeaderMessage = z.infer<typeof LeaderMessage>;

/** Another tab's message, or null for anything else on the channel (an older app version). */
export const readMessage = (data: unknown): LeaderMessage | null => {
  const parsed = LeaderMessage.safeParse(data);
  return parsed.success ? parsed.data : null;
};

/**
 * The later of two stream cursors. Each half only grows, so the later one is at least as far in
 * both; a cursor that does not parse never wins over one that does.
 */
export function laterCursor(a: string | null, b: string | null): string | null {
  const x = a === null ? null : parseCursor(a);
  const y = b === null ? null : parseCursor(b);
  if (!y) return x ? a : null;
  if (!x) return b;
  return y.job >= x.job && y.channel >= x.channel ? b : a;
}
