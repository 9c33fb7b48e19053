import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';

/** The request body as a Node stream, so uploads go to disk without being buffered. */
export const nodeBody = (request: Request) =>
  request.body ? Readable.fromWeb(request.body as unknown as NodeWebStream) : null;

/** A Node file stream as a web response body. */
export const webBody = (stream: Readable) =>
  Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
