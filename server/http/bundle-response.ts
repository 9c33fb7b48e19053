import type { Context } from 'hono';
import type { Readable } from 'node:stream';
import { webBody } from './node-body';

/** A bundle download: streamed as it is zipped, with its length when known up front. */
export function bundleResponse(
  c: Context,
  bundle: { stream: Readable; size: number | null; fileName: string },
) {
  const headers: Record<string, string> = {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${bundle.fileName}"`,
  };
  if (bundle.size !== null) headers['content-length'] = String(bundle.size);
  return c.body(webBody(bundle.stream), 200, headers);
}
