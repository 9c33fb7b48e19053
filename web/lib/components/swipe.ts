// A Svelte action for a finger's sideways swipe: left goes to the next item, right to the
// previous one. Touches that start on a labeling stage (where a drag draws) or a form control
// are left alone; the element should have `touch-action: pan-y`, so the browser scrolls the page
// vertically but hands horizontal moves to the page.

export interface SwipeOptions {
  /** +1 for a swipe to the left (next), -1 to the right (previous). */
  onswipe: (offset: 1 | -1) => void;
}

/** Pixels a finger must travel sideways for a swipe, and how far it may stray vertically. */
const MIN_DISTANCE = 60;

/** The step a finger's move from `start` to `end` asks for, or 0 when it is no swipe. */
export function swipeStep(
  start: { x: number; y: number },
  end: { x: number; y: number },
): 1 | -1 | 0 {
  const dx = end.x - start.x;
  const dy = end.y - start.y;
  if (Math.abs(dx) < MIN_DISTANCE || Math.abs(dy) > Math.abs(dx) / 2) return 0;
  return dx < 0 ? 1 : -1;
}

/** Where a touch may not start a swipe: a drawing stage and anything typed into or picked. */
const IGNORED = '.stage, input, select, textarea, [data-no-swipe]';

export function swipe(node: HTMLElement, options: SwipeOptions) {
  let opts = options;
  let start: { id: number; x: number; y: number } | null = null;

  function ondown(e: PointerEvent) {
    if (e.pointerType !== 'touch' || !e.isPrimary) return;
    if ((e.target as Element | null)?.closest(IGNORED)) return;
    start = { id: e.pointerId, x: e.clientX, y: e.clientY };
  }
  function onup(e: PointerEvent) {
    if (start?.id !== e.pointerId) return;
    const step = swipeStep(start, { x: e.clientX, y: e.clientY });
    start = null;
    if (step) opts.onswipe(step);
  }
  function oncancel(e: PointerEvent) {
    if (start?.id === e.pointerId) start = null;
  }

  node.addEventListener('pointerdown', ondown);
  node.addEventListener('pointerup', onup);
  node.addEventListener('pointercancel', oncancel);
  return {
    update(next: SwipeOptions) {
      opts = next;
    },
    destroy() {
      node.removeEventListener('pointerdown', ondown);
      node.removeEventListener('pointerup', onup);
      node.removeEventListener('pointercancel', oncancel);
    },
  };
}
