import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/**
 * Whether an error only says that the client went away mid-request (a phone that lost its
 * network during an upload). That is not a fault of the server: it is logged as what it is,
 * and what the request had half-written is already removed by whoever wrote it.
 */
export function isClientAbort(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (code === 'ECONNRESET' && error.message === 'aborted') ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    error.name === 'AbortError'
  );
}

const STATUS_OF: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/**
 * Node answers a request it cannot parse with a bare 400 and an empty body; the API answers
 * every refusal with its JSON error, so a client's log says what was wrong.
 */
export function answerMalformedRequests(server: EventEmitter) {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, text] = STATUS_OF[error.code ?? ''] ?? [400, 'Bad Request'];
    const body = JSON.stringify({
      error: {
        code: 'malformed_request',
        message: `the request could not be read as HTTP (${error.code ?? error.message})`,
        hint: 'Send a well-formed HTTP/1.1 request; headers must stay under 16 KiB.',
      },
    });
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
