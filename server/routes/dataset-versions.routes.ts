import { Hono } from 'hono';
import { z } from 'zod';
import { DatasetManifest, DeriveRequest, MergeRequest, Sha256 } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { bundleResponse } from '../http/bundle-response';
import { nodeBody } from '../http/node-body';
import { validate } from '../http/validate';
import type { Services } from '../services';

const IdParam = z.object({ id: Sha256 });
const DiffParams = z.object({ id: Sha256, other: Sha256 });

export const datasetVersionRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .get('/', requireRole(tokens, 'user'), (c) => c.json(s.datasets.list()))
    .post('/', requireRole(tokens, 'user'), validate('json', DatasetManifest), (c) =>
      c.json(s.datasets.seal(c.req.valid('json')), 201),
    )
    // The body is a .zip streamed to disk here, not JSON: app.ts leaves its size to the service.
    .post('/import', requireRole(tokens, 'user'), async (c) =>
      c.json(await s.bundles.import(nodeBody(c.req.raw)), 201),
    )
    .post('/merge', requireRole(tokens, 'user'), validate('json', MergeRequest), (c) =>
      c.json(s.datasets.merge(c.req.valid('json')), 201),
    )
    .post('/derive', requireRole(tokens, 'user'), validate('json', DeriveRequest), (c) =>
      c.json(s.datasets.derive(c.req.valid('json')), 201),
    )
    .get('/:id', requireRole(tokens, 'user', 'runner'), validate('param', IdParam), (c) =>
      c.json(s.datasets.get(c.req.valid('param').id)),
    )
    .get('/:id/manifest', requireRole(tokens, 'user', 'runner'), validate('param', IdParam), (c) =>
      c.json(s.datasets.manifest(c.req.valid('param').id)),
    )
    .get('/:id/bundle.zip', requireRole(tokens, 'user'), validate('param', IdParam), (c) =>
      bundleResponse(c, s.bundles.export(c.req.valid('param').id)),
    )
    .get('/:id/diff/:other', requireRole(tokens, 'user'), validate('param', DiffParams), (c) =>
      c.json(s.datasets.diff(c.req.valid('param').id, c.req.valid('param').other)),
    );
