import { Hono } from 'hono';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import type { Services } from '../services';

/**
 * The tus resumable-upload protocol (create, where-did-it-stop, append, cancel), handed whole to
 * @tus/server. GET also answers HEAD, the request tus asks "how many bytes do you have?" with.
 */
export const uploadRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .post('/', requireRole(tokens, 'user'), (c) => s.uploads.handle(c.req.raw))
    .get('/:id', requireRole(tokens, 'user'), (c) => s.uploads.handle(c.req.raw))
    .patch('/:id', requireRole(tokens, 'user'), (c) => s.uploads.handle(c.req.raw))
    .delete('/:id', requireRole(tokens, 'user'), (c) => s.uploads.handle(c.req.raw));
