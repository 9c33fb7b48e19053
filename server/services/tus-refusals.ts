import { ERRORS } from '@tus/server';
import { AppError } from '../http/app-error';

type Refusal = { code: string; message: string; hint?: string };

/**
 * The tus library answers its own refusals in plain text ("Maximum size exceeded"); the API
 * answers every refusal as `{ error: { code, message, hint } }`. This table gives each of the
 * library's answers the API's words, naming the setting behind it where there is one.
 */
function refusalFor(status: number, text: string, maxBytes: number): Refusal {
  const is = (e: { status_code: number; body: string }) =>
    e.status_code === status && e.body.trim() === text.trim();
  if (is(ERRORS.ERR_MAX_SIZE_EXCEEDED) || is(ERRORS.ERR_SIZE_EXCEEDED)) {
    return {
      code: 'too_large',
      message: `the upload is larger than this server accepts (LOUPE_MAX_BLOB_BYTES = ${maxBytes} bytes)`,
      hint: 'Send a smaller photo, or ask the operator to raise LOUPE_MAX_BLOB_BYTES.',
    };
  }
  if (is(ERRORS.INVALID_OFFSET)) {
    return {
      code: 'offset_conflict',
      message: 'the upload continued from a different byte than the server holds',
      hint: 'Ask the server for the offset (HEAD) and continue from there.',
    };
  }
  if (is(ERRORS.FILE_NOT_FOUND) || is(ERRORS.FILE_NO_LONGER_EXISTS)) {
    return {
      code: 'upload_gone',
      message: 'this upload does not exist (it expired, finished or was refused)',
      hint: 'Start the upload again; nothing of it was stored.',
    };
  }
  const words = text.trim() || `the upload was refused (${status})`;
  return { code: status >= 500 ? 'upload_failed' : 'upload_refused', message: words };
}

/** A tus answer as the API's JSON error when it is one of the library's plain-text refusals. */
export async function asApiRefusal(response: Response, maxBytes: number): Promise<Response> {
  if (response.status < 400) return response;
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  // Our own hooks' refusals (see upload.service.ts) are already the API's JSON, sent as text.
  const body = isApiError(text)
    ? text
    : JSON.stringify(toBody(refusalFor(response.status, text, maxBytes)));
  return new Response(body, { status: response.status, headers });
}

const toBody = ({ code, message, hint }: Refusal) =>
  new AppError(400, code, message, hint).toBody();

function isApiError(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'error' in parsed;
  } catch {
    return false;
  }
}
