import { z } from 'zod';

/** Lower-case hex SHA-256: the name of every blob, dataset version and model file. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');
export type Sha256 = z.infer<typeof Sha256>;

/** Every error the API returns has this shape, so a client can show it as it is. */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/** The vision tasks Ultralytics trains. The same strings are used by the gpu-runner. */
export const Task = z.enum(['classify', 'detect', 'segment']);
export type Task = z.infer<typeof Task>;

/**
 * A record's own value for a user-chosen key (a class or dataset name). Plain indexing would
 * answer Object.prototype's members for keys such as "constructor" or "toString".
 */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
