import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { webBody } from '../http/node-body';
import { validate } from '../http/validate';
import type { Services } from '../services';

const IdParam = z.object({ id: z.string().uuid() });

export const modelRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'user'))
    .get('/', (c) => c.json(s.models.list()))
    .get('/:id', validate('param', IdParam), (c) => c.json(s.models.get(c.req.valid('param').id)))
    .get('/:id/metadata.json', validate('param', IdParam), (c) =>
      c.json(s.models.get(c.req.valid('param').id).metadata),
    )
    .get('/:id/model.onnx', validate('param', IdParam), (c) => {
      const file = s.models.openOnnx(c.req.valid('param').id);
      // A model version never changes, so its file is cached forever under its hash.
      if (c.req.header('if-none-match') === `"${file.sha256}"`) {
        file.stream.destroy();
        return c.body(null, 304);
      }
      return c.body(webBody(file.stream), 200, {
        'content-type': 'application/octet-stream',
        'content-length': String(file.bytes),
        etag: `"${file.sha256}"`,
        'cache-control': 'private, max-age=31536000, immutable',
      });
    });
