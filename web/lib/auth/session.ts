/**
 * The browser's access token. The server prints a URL with `?token=`; the first visit keeps the
 * token in localStorage and removes it from the address bar, so it is not left in history.
 */
const KEY = 'loupe.token';

export function adoptTokenFromUrl(location: URL): string | null {
  const token = location.searchParams.get('token');
  if (!token) return null;
  localStorage.setItem(KEY, token);
  location.searchParams.delete('token');
  history.replaceState(history.state, '', location.pathname + location.search + location.hash);
  return token;
}

export const getToken = () => localStorage.getItem(KEY);
export const setToken = (token: string) => localStorage.setItem(KEY, token.trim());
export const clearToken = () => localStorage.removeItem(KEY);
