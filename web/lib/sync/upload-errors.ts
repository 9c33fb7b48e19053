// What an image upload's failure means to the user, whichever path the image took (one PUT or
// tus): the server's own explanation when it answered, a network loss when it did not. The
// sync queue waits out a network loss and shows a refusal with the server's reason.
import { ApiError } from '$contract';
import { ApiRequestError } from '$lib/api/api-error';

/** The network failed (offline, or the server is unreachable); nothing the user must fix. */
export class NetworkLostError extends Error {
  constructor(cause?: unknown) {
    super('The connection to the server was lost; the upload continues where it stopped.', {
      cause,
    });
    this.name = 'NetworkLostError';
  }
}

/** The error for an answer with this status and body; status 0 means no answer came. */
export function explainAnswer(status: number, body: string, cause?: unknown): Error {
  if (status === 0) return new NetworkLostError(cause);
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // tus' own errors are plain text
  }
  const parsed = ApiError.safeParse(json);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiRequestError(status, e.code, e.message, e.hint, e.details);
  }
  return new ApiRequestError(
    status,
    'upload_refused',
    body.trim() || `the server answered ${status}`,
  );
}

/** Why an upload stopped when the user (or the queue) cancelled it. */
export const cancelled = (signal?: AbortSignal): Error =>
  signal?.reason instanceof Error ? signal.reason : new Error('cancelled');
