import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error a user can act on: `message` says what went wrong, `hint` what to do. Services throw
 * it; the HTTP layer turns it into `{ error: { code, message, hint, details } }`.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody() {
    return {
      error: { code: this.code, message: this.message, hint: this.hint, details: this.details },
    };
  }
}

export const notFound = (what: string, id: string) =>
  new AppError(404, 'not_found', `${what} ${id} does not exist`);

/** The documented answer to a path under /api that no route serves (never the app's HTML). */
export const apiRouteNotFound = (c: Context) =>
  c.json(
    { error: { code: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` } },
    404,
  );
