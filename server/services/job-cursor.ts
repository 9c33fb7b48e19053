import { AppError } from '../http/app-error';
import type { JobCursor } from '../repositories/job.repository';

/** A page's `next`: opaque to clients, so the ordering it encodes may change. */
export const encodeJobCursor = (c: JobCursor) =>
  Buffer.from(`${c.createdAt}|${c.seq}`).toString('base64url');

export function decodeJobCursor(cursor: string): JobCursor {
  const [createdAt, seq, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  const n = Number(seq);
  if (!createdAt || rest.length > 0 || !Number.isSafeInteger(n) || n < 1) {
    throw new AppError(
      400,
      'bad_cursor',
      `"${cursor}" is not a page cursor of GET /api/jobs`,
      'Pass the `next` of a page as `before`, or leave `before` out for the newest jobs.',
    );
  }
  return { createdAt, seq: n };
}
