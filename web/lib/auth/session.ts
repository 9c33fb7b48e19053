/**
 * The browser's access token. The server prints a URL with `?token=`; the first visit keeps the
 * token in localStorage and (in hooks.client.ts) removes it from the address bar, so it is not
 * left in history.
 */
const KEY = 'loupe.token';

/** Keeps a token found in the URL; returns the URL without it, or null when there was none. */
export function adoptTokenFromUrl(location: URL): URL | null {
  const token = location.searchParams.get('token');
  if (!token) return null;
  localStorage.setItem(KEY, token);
  const clean = new URL(location);
  clean.searchParams.delete('token');
  return clean;
}

export const getToken = () => localStorage.getItem(KEY);
export const setToken = (token: string) => localStorage.setItem(KEY, token.trim());
export const clearToken = () => localStorage.removeItem(KEY);
