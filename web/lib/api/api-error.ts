import { ApiError } from '$contract';
import { httpsVersion, insecureOrigin } from '../platform/secure-context';

/** An API failure as the server described it: what went wrong and what to do. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The body of a successful response, or an ApiRequestError carrying the server's explanation. */
export async function unwrap<T>(response: Response): Promise<T> {
  if (response.ok) {
    return (response.status === 204 ? null : await response.json()) as T;
  }
  const body: unknown = await response.json().catch(() => null);
  const parsed = ApiError.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    throw new ApiRequestError(response.status, e.code, e.message, e.hint, e.details);
  }
  throw new ApiRequestError(
    response.status,
    'http_error',
    `the server answered ${response.status}`,
  );
}

/** One line for the UI: the message and, where there is one, what to do about it. */
export function describeError(error: unknown): string {
  if (error instanceof ApiRequestError)
    return error.hint ? `${error.message}. ${error.hint}` : error.message;
  // On plain http from a LAN address the browser withholds crypto, service workers and more:
  // the TypeError that follows is that, not the network (the banner on top says what to do).
  if (error instanceof TypeError && insecureOrigin())
    return `This page is not a secure (https) connection, so the browser blocks what this needs (${error.message}). Open ${httpsVersion(location)} instead; nothing was lost.`;
  if (error instanceof TypeError)
    return 'The server cannot be reached. Your work is kept here; try again when online.';
  return error instanceof Error ? error.message : String(error);
}
