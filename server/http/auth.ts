import { timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { AppError } from './app-error';

export type Role = 'user' | 'runner';
export type AuthEnv = { Variables: { role: Role } };
export type Tokens = { userToken: string; runnerToken: string };

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Accepts a bearer token of one of the allowed roles; every API route except health needs one. */
export const requireRole = (tokens: Tokens, ...allowed: Role[]) =>
  createMiddleware<AuthEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const role: Role | null = same(token, tokens.userToken)
      ? 'user'
      : same(token, tokens.runnerToken)
        ? 'runner'
        : null;
    if (!role) {
      throw new AppError(
        401,
        'unauthorized',
        'missing or wrong access token',
        'Open the URL the server printed at start-up (it carries the token), or send "Authorization: Bearer <token>".',
      );
    }
    if (!allowed.includes(role)) {
      throw new AppError(403, 'forbidden', `this route is not for the ${role} token`);
    }
    c.set('role', role);
    await next();
  });
