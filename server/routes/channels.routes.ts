import { Hono } from 'hono';
import { z } from 'zod';
import { PromoteRequest, RollbackRequest } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';

/** A channel name is "<line>/<stage>": two path segments. */
const ChannelParam = z.object({
  line: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  stage: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
});

export const channelRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'user'))
    .get('/', (c) => c.json(s.channels.list()))
    .post('/promote', validate('json', PromoteRequest), (c) => {
      const { channel, modelId } = c.req.valid('json');
      return c.json(s.channels.promote(channel, modelId));
    })
    .post('/rollback', validate('json', RollbackRequest), (c) =>
      c.json(s.channels.rollback(c.req.valid('json').channel)),
    )
    .get('/:line/:stage', validate('param', ChannelParam), (c) => {
      const { line, stage } = c.req.valid('param');
      return c.json(s.channels.get(`${line}/${stage}`));
    });
