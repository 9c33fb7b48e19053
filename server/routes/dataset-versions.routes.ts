import { Hono } from 'hono';
import { z } from 'zod';
import { DatasetManifest, Sha256 } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';

const IdParam = z.object({ id: Sha256 });

export const datasetVersionRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .get('/', requireRole(tokens, 'user'), (c) => c.json(s.datasets.list()))
    .post('/', requireRole(tokens, 'user'), validate('json', DatasetManifest), (c) =>
      c.json(s.datasets.seal(c.req.valid('json')), 201),
    )
    .get('/:id', requireRole(tokens, 'user', 'runner'), validate('param', IdParam), (c) =>
      c.json(s.datasets.get(c.req.valid('param').id)),
    )
    .get('/:id/manifest', requireRole(tokens, 'user', 'runner'), validate('param', IdParam), (c) =>
      c.json(s.datasets.manifest(c.req.valid('param').id)),
    );
