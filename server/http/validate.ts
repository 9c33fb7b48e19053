import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { AppError } from './app-error';

type Issues = { issues: readonly { path: readonly PropertyKey[]; message: string }[] };

/** A zod failure as the API reports it: each issue's dotted path and message, the first named. */
export function invalid(error: Issues, where: string, hint: string, code = 'invalid_request') {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  const first = issues[0];
  return new AppError(
    400,
    code,
    first ? `${first.path || where}: ${first.message}` : `invalid ${where}`,
    hint,
    issues,
  );
}

/** zValidator whose failures use the API's one error shape, with each issue's path. */
export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: T,
) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      throw invalid(
        result.error,
        target,
        'Fix the field named in the message and send the request again.',
      );
    }
  });
