import { randomBytes } from 'node:crypto';
import type { EventTicket } from '../contract/live-events';
import { AppError } from '../http/app-error';
import type { Clock } from './clock';

const TICKET_SECONDS = 60;
const HINT =
  'Ask POST /api/events/ticket (with "Authorization: Bearer <token>") for a ticket and open ' +
  `/api/events?ticket=<ticket> within ${TICKET_SECONDS} s; a ticket opens one stream only.`;

/**
 * Tickets that let a native EventSource (which cannot send headers) open the event stream, so
 * the long-lived token never travels in a URL, where proxies, logs and history would keep it.
 * In memory: a ticket outlives nothing but its minute, and a restart only costs a new ticket.
 */
export class EventTicketService {
  /** ticket -> expiry in ms since the epoch */
  private readonly tickets = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds = TICKET_SECONDS,
  ) {}

  issue(): EventTicket {
    const now = this.clock.now().getTime();
    for (const [ticket, expires] of this.tickets) if (expires <= now) this.tickets.delete(ticket);
    const ticket = randomBytes(24).toString('base64url');
    const expires = now + this.ttlSeconds * 1000;
    this.tickets.set(ticket, expires);
    return { ticket, expiresAt: new Date(expires).toISOString() };
  }

  /** Spends a ticket; one that is unknown, used or expired is refused. */
  redeem(ticket: string) {
    const expires = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (expires === undefined) {
      throw new AppError(401, 'unauthorized', 'this event ticket is unknown or already used', HINT);
    }
    if (expires <= this.clock.now().getTime()) {
      throw new AppError(401, 'unauthorized', 'this event ticket has expired', HINT);
    }
  }

  /** The refusal for a stream request that brings neither a ticket nor a token. */
  static missing() {
    return new AppError(401, 'unauthorized', 'the event stream needs a ticket or a token', HINT);
  }
}
