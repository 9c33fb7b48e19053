import { Hono } from 'hono';
import { z } from 'zod';
import {
  CreateExternalRunRequest,
  ExternalRunEventsRequest,
  FinishExternalRunRequest,
} from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';

const IdParam = z.object({ id: z.string().uuid() });

/**
 * Training runs started by hand report here with the user token (loupe_runner.report_run);
 * they are then read, streamed and cancelled through /api/jobs like any job.
 */
export const runRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'user'))
    .post('/', validate('json', CreateExternalRunRequest), (c) =>
      c.json(s.runs.create(c.req.valid('json')), 201),
    )
    .post(
      '/:id/events',
      validate('param', IdParam),
      validate('json', ExternalRunEventsRequest),
      (c) => c.json(s.runs.report(c.req.valid('param').id, c.req.valid('json').events)),
    )
    .post(
      '/:id/finish',
      validate('param', IdParam),
      validate('json', FinishExternalRunRequest),
      (c) => c.json(s.runs.finish(c.req.valid('param').id, c.req.valid('json'))),
    );
