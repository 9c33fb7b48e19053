import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';
import { getToken } from '../auth/session';

const authHeaders = (): Record<string, string> => {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
};

/** The typed API client: paths, params and bodies come from the server's own routes. */
export const api = hc<AppType>(
  typeof location === 'undefined' ? 'http://localhost' : location.origin,
  {
    headers: authHeaders,
  },
).api;

/** For bodies hc does not model (raw uploads, streams): a fetch with the same credentials. */
export const authorizedFetch = (input: string, init: RequestInit = {}) =>
  fetch(input, { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) } });
