import { Hono } from 'hono';
import { z } from 'zod';
import { PretrainedName } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { nodeBody } from '../http/node-body';
import { validate } from '../http/validate';
import type { Services } from '../services';

const NameParam = z.object({ name: PretrainedName });

/**
 * Base .pt files for fine-tuning: uploads kept only when their hash is on the server's allowlist,
 * and Ultralytics' official pretrained files (the weights folder, or uploaded by name).
 */
export const weightsRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'user'))
    .put('/', async (c) => c.json(await s.weights.upload(nodeBody(c.req.raw)), 201))
    .get('/pretrained', async (c) => c.json(await s.pretrained.catalog()))
    .put('/pretrained/:name', validate('param', NameParam), async (c) =>
      c.json(await s.pretrained.upload(c.req.valid('param').name, nodeBody(c.req.raw)), 201),
    );
