// The arrow keys' nudge for a selected box, as a pure mapping so it is tested without a page.
// Steps are screen pixels (as the polygon editor's), so a nudge looks the same at any photo size.

/** Screen pixels per press; Shift takes the larger step. */
export const NUDGE_PX = 1;
export const NUDGE_SHIFT_PX = 10;

const ARROWS: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** The screen-pixel offset an arrow key moves a box by, or null for any other key. */
export function nudgeFor(event: {
  key: string;
  shiftKey: boolean;
}): { dx: number; dy: number } | null {
  const arrow = ARROWS[event.key];
  if (!arrow) return null;
  const step = event.shiftKey ? NUDGE_SHIFT_PX : NUDGE_PX;
  return { dx: arrow[0] * step, dy: arrow[1] * step };
}
