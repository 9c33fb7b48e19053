import { z } from 'zod';
import { LiveEvent } from '../../contract';
import { EventStreamQuery, EventTicket } from '../../contract/live-events';
import type { Operation } from '../operation';

export const eventOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/events/ticket',
    tag: 'training',
    summary: 'A ticket that opens the live event stream once',
    description:
      'EventSource cannot send headers: trade the bearer token for a ticket that lives 60 s ' +
      'and opens one stream, so the token never appears in a URL.',
    auth: ['user'],
    replies: { 201: { description: 'the ticket and when it expires', json: EventTicket } },
  },
  {
    method: 'get',
    path: '/api/events',
    tag: 'training',
    summary: 'Every live event: job events of all jobs and channel moves (server-sent events)',
    description:
      'One stream per browser. Opens with `?ticket=` (or the bearer token). Events are named ' +
      '`job` and `channel`, after a first `ready` that carries the starting id. Ids are ' +
      '"<job event id>-<channel move id>" and increase: reconnect with Last-Event-ID (or ' +
      '?after=) to get exactly what was missed; without one the stream starts from now.',
    auth: ['user'],
    query: EventStreamQuery,
    headers: z.object({ 'last-event-id': z.string().optional() }),
    replies: { 200: { description: 'the event stream', events: LiveEvent } },
  },
];
