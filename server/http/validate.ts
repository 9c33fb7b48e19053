import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { AppError } from './app-error';

/** zValidator whose failures use the API's one error shape, with each issue's path. */
export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: T,
) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = result.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: i.message,
      }));
      const first = issues[0];
      throw new AppError(
        400,
        'invalid_request',
        first ? `${first.path || target}: ${first.message}` : 'invalid request',
        'Fix the field named in the message and send the request again.',
        issues,
      );
    }
  });
