import { Hono } from 'hono';
import { z } from 'zod';
import { PredictQuery } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';

const IdParam = z.object({ id: z.string().uuid() });

/**
 * Predictions on the server for clients that cannot run a model (README "Inference over HTTP"):
 * one image as the raw body, or a multipart batch of `image` parts.
 */
export const predictRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'user'))
    .post('/:id/predict', validate('param', IdParam), validate('query', PredictQuery), async (c) =>
      c.json(await s.predictor.predict(c.req.valid('param').id, c.req.raw, c.req.valid('query'))),
    );
