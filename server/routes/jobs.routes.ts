import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import {
  ArtifactName,
  CreateJobRequest,
  FINAL_JOB_STATUSES,
  JobListQuery,
  JobLogQuery,
  TrainingTimeQuery,
} from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { storedFileResponse } from '../http/stored-file-response';
import { validate } from '../http/validate';
import type { StoredJobEvent } from '../repositories/job.repository';
import type { Services } from '../services';

const IdParam = z.object({ id: z.string().uuid() });
const ArtifactParam = IdParam.extend({ name: ArtifactName });
const KEEPALIVE_MS = 15_000;

export const jobRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'user'))
    .get('/', validate('query', JobListQuery), (c) => c.json(s.jobs.list(c.req.valid('query'))))
    .post('/', validate('json', CreateJobRequest), async (c) => {
      await s.pretrained.refresh(); // a file dropped in the weights folder since is seen
      return c.json(s.jobs.create(c.req.valid('json')), 201);
    })
    .post('/split-preview', validate('json', CreateJobRequest), (c) =>
      c.json(s.jobs.previewSplit(c.req.valid('json'))),
    )
    .get('/training-time', validate('query', TrainingTimeQuery), (c) =>
      c.json(s.jobs.trainingTime(c.req.valid('query'))),
    )
    .get('/:id', validate('param', IdParam), (c) => c.json(s.jobs.get(c.req.valid('param').id)))
    .get('/:id/split', validate('param', IdParam), (c) =>
      c.json(s.jobs.split(c.req.valid('param').id)),
    )
    .post('/:id/cancel', validate('param', IdParam), (c) =>
      c.json(s.jobs.cancel(c.req.valid('param').id)),
    )
    .get('/:id/artifacts', validate('param', IdParam), (c) =>
      c.json(s.jobs.artifacts(c.req.valid('param').id)),
    )
    .get('/:id/artifacts/:name', validate('param', ArtifactParam), (c) => {
      const { id, name } = c.req.valid('param');
      return storedFileResponse(c, s.jobs.openArtifact(id, name));
    })
    .get('/:id/epochs', validate('param', IdParam), (c) =>
      c.json(s.jobs.epochs(c.req.valid('param').id)),
    )
    .get('/:id/log', validate('param', IdParam), validate('query', JobLogQuery), (c) =>
      c.json(s.jobs.storedEvents(c.req.valid('param').id, c.req.valid('query'))),
    )
    .get('/:id/events', validate('param', IdParam), (c) => {
      const id = c.req.valid('param').id;
      s.jobs.get(id);
      const lastSeen = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0;
      return streamSSE(c, (stream) => streamJobEvents(s, id, lastSeen, stream));
    });

type SseStream = Parameters<Parameters<typeof streamSSE>[1]>[0];

/**
 * Replays what the client missed since `lastSeen` from the database, then forwards live events.
 * Listening starts before the replay so nothing falls between the two; ids are never sent twice.
 */
async function streamJobEvents(s: Services, id: string, lastSeen: number, stream: SseStream) {
  let sent = lastSeen;
  let finished = false;
  let wake: () => void = () => {};
  const queue: StoredJobEvent[] = [];
  const unsubscribe = s.jobs.subscribe(id, (e) => {
    queue.push(e);
    wake();
  });
  stream.onAbort(() => {
    finished = true;
    wake();
  });
  const send = async (e: StoredJobEvent) => {
    if (e.id <= sent) return;
    sent = e.id;
    await stream.writeSSE({ id: String(e.id), event: e.event.type, data: JSON.stringify(e.event) });
    if (e.event.type === 'status' && FINAL_JOB_STATUSES.includes(e.event.status)) finished = true;
  };
  try {
    for (const e of s.jobs.eventsAfter(id, lastSeen)) await send(e);
    while (!finished) {
      const next = queue.shift();
      if (next) {
        await send(next);
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, KEEPALIVE_MS);
      });
      if (queue.length === 0 && !finished) await stream.write(': keep-alive\n\n');
    }
  } finally {
    unsubscribe();
  }
}
