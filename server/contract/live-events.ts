import { z } from 'zod';

/**
 * Where a client stands in the live stream: the last job event id and the last channel move id
 * it has seen. The two logs keep their own AUTOINCREMENT ids, so the stream's event id is this
 * pair ("<job>-<channel>") rather than one number: merging them into one sequence would need a
 * third table written on every event, and timestamps are neither unique nor monotonic. Each
 * event moves one half forward and never the other back, so ids only increase.
 */
export type LiveCursor = { job: number; channel: number };

export const LiveCursorText = z.string().regex(/^\d{1,15}-\d{1,15}$/, {
  message: 'a live event id is "<job event id>-<channel move id>"',
});

export const formatCursor = (c: LiveCursor) => `${c.job}-${c.channel}`;

export function parseCursor(text: string): LiveCursor | null {
  if (!LiveCursorText.safeParse(text).success) return null;
  const [job, channel] = text.split('-').map(Number);
  return { job: job ?? 0, channel: channel ?? 0 };
}

/** A short-lived, single-use ticket that opens the event stream (EventSource sends no headers). */
export const EventTicket = z.object({ ticket: z.string(), expiresAt: z.string() });
export type EventTicket = z.infer<typeof EventTicket>;

export const EventStreamQuery = z.object({
  ticket: z.string().max(200).optional(),
  /** The id of the last event seen, for clients that cannot send Last-Event-ID. */
  after: LiveCursorText.optional(),
});
