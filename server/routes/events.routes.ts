import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { streamSSE } from 'hono/streaming';
import { EventStreamQuery } from '../contract/live-events';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';
import { EventTicketService } from '../services/event-ticket.service';
import type { LiveFeed } from '../services/live-events.service';

const KEEPALIVE_MS = 15_000;

/**
 * The stream opens with a ticket (a native EventSource cannot send headers) or, for clients
 * that can, the user's bearer token. Either way the long-lived token stays out of the URL.
 */
const ticketOrUser = (s: Services, tokens: Tokens) =>
  createMiddleware<AuthEnv>(async (c, next) => {
    const ticket = c.req.query('ticket');
    if (ticket === undefined) {
      if (!c.req.header('authorization')) throw EventTicketService.missing();
      return requireRole(tokens, 'user')(c, next);
    }
    s.eventTickets.redeem(ticket);
    c.set('role', 'user');
    await next();
  });

export const eventRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .post('/ticket', requireRole(tokens, 'user'), (c) => c.json(s.eventTickets.issue(), 201))
    .get('/', ticketOrUser(s, tokens), validate('query', EventStreamQuery), (c) => {
      const feed = s.live.follow(
        c.req.header('last-event-id') ?? c.req.valid('query').after ?? null,
      );
      return streamSSE(c, (stream) => streamFeed(feed, stream));
    });

type SseStream = Parameters<Parameters<typeof streamSSE>[1]>[0];

/**
 * First a `ready` event carrying the cursor the stream starts from, so a client that reconnects
 * before any event arrives resumes from there and not from a later "now"; then every LiveEvent
 * under its type's name (`job`, `channel`), and a comment whenever nothing was sent for a while
 * so proxies keep the connection open.
 */
async function streamFeed(feed: LiveFeed, stream: SseStream) {
  stream.onAbort(() => feed.close());
  try {
    await stream.writeSSE({ id: feed.id, event: 'ready', data: JSON.stringify({ id: feed.id }) });
    while (!stream.aborted && !feed.closed) {
      const items = await feed.next(KEEPALIVE_MS);
      if (items.length === 0 && !stream.aborted && !feed.closed)
        await stream.write(': keep-alive\n\n');
      for (const { id, event } of items) {
        await stream.writeSSE({ id, event: event.type, data: JSON.stringify(event) });
      }
    }
  } finally {
    feed.close();
  }
}
