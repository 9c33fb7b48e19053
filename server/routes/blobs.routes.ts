import { Hono } from 'hono';
import { z } from 'zod';
import { Sha256, SyncPlanRequest } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { nodeBody } from '../http/node-body';
import { storedFileResponse } from '../http/stored-file-response';
import { validate } from '../http/validate';
import type { Services } from '../services';

const BlobParam = z.object({ sha256: Sha256 });

export const blobRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .post('/missing', requireRole(tokens, 'user'), validate('json', SyncPlanRequest), (c) =>
      c.json({ missing: s.blobs.missing(c.req.valid('json').sha256s) }),
    )
    .put('/:sha256', requireRole(tokens, 'user'), validate('param', BlobParam), async (c) => {
      const result = await s.blobs.putImage(c.req.valid('param').sha256, nodeBody(c.req.raw));
      return c.json(result, result.created ? 201 : 200);
    })
    .get('/:sha256', requireRole(tokens, 'user', 'runner'), validate('param', BlobParam), (c) => {
      return storedFileResponse(c, s.blobs.open(c.req.valid('param').sha256));
    });
