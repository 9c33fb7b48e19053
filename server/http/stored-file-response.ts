import type { Context } from 'hono';
import type { StoredFile } from '../services/blob.service';
import { webBody } from './node-body';

type Range = { start: number; end: number };

export type StoredFileOptions = {
  /** Overrides the media type sniffed when the blob was stored. */
  mediaType?: string;
  /** Checkpoints are read once by a runner: no point in a browser keeping them. */
  cacheable?: boolean;
};

/**
 * Answers a GET for a content-addressed file. Its bytes never change, so the ETag is its hash,
 * a client that already has it gets 304, and a download cut short resumes with a Range request
 * (206) instead of starting over.
 */
export function storedFileResponse(c: Context, file: StoredFile, o: StoredFileOptions = {}) {
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    'content-type': o.mediaType ?? file.mediaType,
    etag,
    'accept-ranges': 'bytes',
  };
  if (o.cacheable !== false) headers['cache-control'] = 'private, max-age=31536000, immutable';
  if (listsEtag(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
  const ifRange = c.req.header('if-range');
  const range =
    ifRange === undefined || ifRange === etag
      ? requestedRange(c.req.header('range'), file.bytes)
      : null;
  if (range === 'unsatisfiable') {
    return c.body(null, 416, { ...headers, 'content-range': `bytes */${file.bytes}` });
  }
  if (range) {
    return c.body(webBody(file.read(range)), 206, {
      ...headers,
      'content-range': `bytes ${range.start}-${range.end}/${file.bytes}`,
      'content-length': String(range.end - range.start + 1),
    });
  }
  return c.body(webBody(file.read()), 200, { ...headers, 'content-length': String(file.bytes) });
}

function listsEtag(header: string | undefined, etag: string) {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim() === etag);
}

/**
 * One `bytes=` range (RFC 9110 14.2), or null to send the whole file: a header that is missing,
 * malformed or asks for several ranges is answered with all the bytes, which every client accepts.
 */
export function requestedRange(
  header: string | undefined,
  size: number,
): Range | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return end < start ? null : { start, end };
}
