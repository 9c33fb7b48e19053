import { Hono } from 'hono';
import { z } from 'zod';
import { RenameModelRequest } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { storedFileResponse } from '../http/stored-file-response';
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
    .patch('/:id', validate('param', IdParam), validate('json', RenameModelRequest), (c) =>
      c.json(s.models.rename(c.req.valid('param').id, c.req.valid('json').name)),
    )
    .delete('/:id', validate('param', IdParam), (c) => {
      s.models.delete(c.req.valid('param').id);
      return c.body(null, 204);
    })
    .get('/:id/model.onnx', validate('param', IdParam), (c) =>
      storedFileResponse(c, s.models.openOnnx(c.req.valid('param').id), {
        mediaType: 'application/octet-stream',
      }),
    );
