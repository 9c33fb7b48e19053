// The one error type the data-access functions throw, so a page can show `error.message` as it
// is and branch on `error.code`. Messages say what happened and what the user can do.

export type DatasetErrorCode = 'invalid' | 'not-found' | 'storage-full';

export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    /** Counts or paths a page may want to show beside the message. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const QUOTA_NAMES = new Set([
  'QuotaExceededError',
  // Firefox before 2019 named it differently.
  'NS_ERROR_DOM_QUOTA_REACHED',
]);

/**
 * True when the browser refused a write because the origin's storage is full. Dexie wraps the
 * DOMException (as `inner`, or in a BulkError's `failures`), so the whole chain is searched.
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const { name, inner, failures } = error as {
    name?: unknown;
    inner?: unknown;
    failures?: unknown;
  };
  if (typeof name === 'string' && QUOTA_NAMES.has(name)) return true;
  if (isQuotaError(inner, depth + 1)) return true;
  return Array.isArray(failures) && failures.some((f) => isQuotaError(f, depth + 1));
}

export function notFound(what: string): DatasetError {
  return new DatasetError(
    'not-found',
    `${what} is not on this device (it may have been deleted in another tab); reload the page`,
  );
}
