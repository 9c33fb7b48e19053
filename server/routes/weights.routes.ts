import { Hono } from 'hono';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { nodeBody } from '../http/node-body';
import type { Services } from '../services';

/** Base .pt files for fine-tuning; only hashes on the server's allowlist are kept. */
export const weightsRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>().put('/', requireRole(tokens, 'user'), async (c) =>
    c.json(await s.weights.upload(nodeBody(c.req.raw)), 201),
  );
