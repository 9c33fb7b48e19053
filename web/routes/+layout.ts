// The app renders in the browser only: it must open offline, from the service worker's cache.
export const ssr = false;
export const prerender = false;
