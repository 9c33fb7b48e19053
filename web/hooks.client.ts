import '$lib/zod-without-eval'; // first: before any schema is built
import type { ClientInit } from '@sveltejs/kit';
import { adoptTokenFromUrl } from '$lib/auth/session';

/** Runs before the router starts, so the token can leave the address bar before anything reads it. */
export const init: ClientInit = () => {
  const withoutToken = adoptTokenFromUrl(new URL(location.href));
  if (withoutToken) history.replaceState(history.state, '', withoutToken);
};
