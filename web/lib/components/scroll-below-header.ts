// The app's header is sticky: an element scrolled to the top of the window would sit under it.

/** Scrolls the window so `element`'s top sits just below the sticky header. */
export function scrollBelowHeader(element: HTMLElement, gap = 8): void {
  const header = document.querySelector('header');
  const covered = header instanceof HTMLElement ? header.getBoundingClientRect().bottom : 0;
  const top = element.getBoundingClientRect().top + window.scrollY - Math.max(covered, 0) - gap;
  window.scrollTo({ top: Math.max(top, 0) });
}
