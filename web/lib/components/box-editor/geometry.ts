// Pure geometry for the box editor: screen points to normalised image coordinates, a drag to a
// contract Box, moving and resizing a box by its handles, and the order boxes are drawn in. Kept
// out of the component so it can be tested without a DOM.
import type { Box } from '$contract';

/** A point in normalised image coordinates: (0, 0) top-left, (1, 1) bottom-right. */
export interface Point {
  x: number;
  y: number;
}

/** Drags smaller than this on screen, in either direction, are taps or slips, not boxes. */
export const MIN_DRAG_PX = 4;

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Where a pointer is over the image, clamped into it (a drag may leave the image). */
export function toNormalised(
  clientX: number,
  clientY: number,
  rect: Pick<DOMRect, 'left' | 'top' | 'width' | 'height'>,
): Point {
  if (rect.width <= 0 || rect.height <= 0) return { x: 0, y: 0 };
  return {
    x: clamp01((clientX - rect.left) / rect.width),
    y: clamp01((clientY - rect.top) / rect.height),
  };
}

/** True when a drag spans fewer than MIN_DRAG_PX screen pixels across or down. */
export function isTinyDrag(a: Point, b: Point, screenWidth: number, screenHeight: number): boolean {
  return (
    Math.abs(a.x - b.x) * screenWidth < MIN_DRAG_PX ||
    Math.abs(a.y - b.y) * screenHeight < MIN_DRAG_PX
  );
}

/** True when a pointer travelled fewer than MIN_DRAG_PX screen pixels: a tap, not a drag. */
export function isTap(a: Point, b: Point, screenWidth: number, screenHeight: number): boolean {
  return Math.hypot((a.x - b.x) * screenWidth, (a.y - b.y) * screenHeight) < MIN_DRAG_PX;
}

/** The box spanned by two corners in any order, top-left anchored and kept inside the image. */
export function boxFromDrag(a: Point, b: Point, classIndex: number): Box {
  const x = clamp01(Math.min(a.x, b.x));
  const y = clamp01(Math.min(a.y, b.y));
  return {
    classIndex,
    x,
    y,
    w: clamp01(Math.max(a.x, b.x)) - x,
    h: clamp01(Math.max(a.y, b.y)) - y,
  };
}

/**
 * Indices of the boxes, largest first, so smaller boxes are drawn on top and stay tappable when
 * they sit inside larger ones (a card's corner inside the card).
 */
export function drawOrder(boxes: readonly Box[]): number[] {
  return boxes.map((_, i) => i).sort((i, j) => area(boxes[j]) - area(boxes[i]) || i - j);
}

function area(box: Box | undefined): number {
  return box ? box.w * box.h : 0;
}

export function contains(box: Box, p: Point): boolean {
  return p.x >= box.x && p.x <= box.x + box.w && p.y >= box.y && p.y <= box.y + box.h;
}

/** The box shifted by (dx, dy), stopped at the image's edges; its size never changes. */
export function moveBox(box: Box, dx: number, dy: number): Box {
  return {
    ...box,
    x: Math.min(Math.max(0, box.x + dx), Math.max(0, 1 - box.w)),
    y: Math.min(Math.max(0, box.y + dy), Math.max(0, 1 - box.h)),
  };
}

/** A resize handle by compass point: four corners and four edge midpoints. */
export type Handle = 'n' | 'e' | 's' | 'w' | 'nw' | 'ne' | 'se' | 'sw';

/** Edges first, so where handles overlap on a small box the corners lie on top. */
export const HANDLES: readonly Handle[] = ['n', 'e', 's', 'w', 'nw', 'ne', 'se', 'sw'];

/** Where a handle sits on a box. */
export function handlePoint(box: Box, handle: Handle): Point {
  const x = handle.includes('w') ? box.x : handle.includes('e') ? box.x + box.w : box.x + box.w / 2;
  const y = handle.includes('n') ? box.y : handle.includes('s') ? box.y + box.h : box.y + box.h / 2;
  return { x, y };
}

/** The smallest box a resize leaves, in normalised units. */
export interface MinSize {
  w: number;
  h: number;
}

/**
 * One axis of a resize: the edge at `fixed` stays, the dragged edge goes to `to` (inside the
 * image). Dragged past the fixed edge it flips to the other side rather than going negative;
 * closer than `min` it is pushed out to `min`, on its own side (`side`: +1 right/down, -1
 * left/up) while the two still coincide, and to the other side where the image ends.
 */
function span(fixed: number, to: number, min: number, side: 1 | -1): [number, number] {
  let moving = clamp01(to);
  if (Math.abs(moving - fixed) < min) {
    const dir = moving === fixed ? side : Math.sign(moving - fixed);
    moving = fixed + dir * min;
    if (moving < 0 || moving > 1) moving = clamp01(fixed - dir * min);
  }
  return moving < fixed ? [moving, fixed] : [fixed, moving];
}

/**
 * The box with one handle dragged to `to`: the opposite corner or edge stays where it is; an
 * edge handle changes one axis only. Always a box the contract accepts.
 */
export function resizeBox(box: Box, handle: Handle, to: Point, min: MinSize): Box {
  const out = { ...box };
  // An axis no handle moves keeps its numbers as they were: recomputing h as (y + h) - y would
  // change it in the last bit, and a left-edge drag must not touch the height at all.
  if (handle.includes('w') || handle.includes('e')) {
    const [left, right] = handle.includes('w')
      ? span(box.x + box.w, to.x, min.w, -1)
      : span(box.x, to.x, min.w, 1);
    [out.x, out.w] = [left, right - left];
  }
  if (handle.includes('n') || handle.includes('s')) {
    const [top, bottom] = handle.includes('n')
      ? span(box.y + box.h, to.y, min.h, -1)
      : span(box.y, to.y, min.h, 1);
    [out.y, out.h] = [top, bottom - top];
  }
  return out;
}

/** True when two boxes have the same class and place (an edit that changed nothing). */
export function sameBox(a: Box, b: Box): boolean {
  return a.classIndex === b.classIndex && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}
