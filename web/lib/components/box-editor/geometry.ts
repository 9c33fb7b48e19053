// Pure geometry for the box editor: screen points to normalised image coordinates, a drag to a
// contract Box, and the order boxes are drawn in. Kept out of the component so it can be tested
// without a DOM.
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
