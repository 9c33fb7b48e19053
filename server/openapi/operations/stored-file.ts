import { z } from 'zod';
import type { Operation } from '../operation';

// Every content-addressed download answers the same way (server/http/stored-file-response.ts).

const Conditional = z.object({
  'if-none-match': z.string().optional().meta({ description: 'the ETag (SHA-256) the client has' }),
  range: z.string().optional().meta({ description: 'bytes=<start>-<end>, to resume a download' }),
  'if-range': z.string().optional(),
});

/** Headers, answers and failures of a download of `mediaTypes` bytes. */
export const storedFile = (description: string, mediaTypes: string[], headers?: z.ZodObject) =>
  ({
    headers: headers ? Conditional.extend(headers.shape) : Conditional,
    replies: {
      200: { description: `${description}; its ETag is its SHA-256`, raw: mediaTypes },
      206: { description: 'the requested byte range', raw: mediaTypes },
      304: { description: 'the client already has this file (If-None-Match)' },
    },
  }) satisfies Partial<Operation>;

export const RANGE_ERROR = { 416: 'the range lies outside the file' };
