// One pointer drag on the box editor, as plain data and pure functions: whether it draws a new
// box or edits the selected one, and what the edited box looks like at each point of the drag.
// The component only feeds it pointer positions and commits the result when the pointer lifts.
import type { Box } from '$contract';
import {
  contains,
  handlePoint,
  isTap,
  MIN_DRAG_PX,
  moveBox,
  resizeBox,
  type Handle,
  type Point,
} from './geometry';

/**
 * It draws a new box, moves the selected one (`handle` null) or resizes it by a handle; `hit` is
 * the box under the pointer when it went down, selected if the drag turns out to be a tap.
 */
export type Drag = { pointerId: number; start: Point; end: Point; hit: number | null } & (
  { kind: 'draw' } | { kind: 'edit'; index: number; origin: Box; handle: Handle | null }
);
export type EditDrag = Extract<Drag, { kind: 'edit' }>;

/** The on-screen size of the image, which taps and the minimum box size are measured in. */
export interface Screen {
  w: number;
  h: number;
}

/**
 * On the selected box (even where a smaller box lies over it) or on one of its handles, a drag
 * edits that box; anywhere else it draws a new one.
 */
export function startDrag(
  pointerId: number,
  point: Point,
  under: { hit: number | null; handle: Handle | null },
  selection: { index: number; box: Box } | null,
): Drag {
  const at = { pointerId, start: point, end: point, hit: under.hit };
  if (selection && (under.handle || contains(selection.box, point))) {
    return {
      ...at,
      kind: 'edit',
      index: selection.index,
      origin: selection.box,
      handle: under.handle,
    };
  }
  return { ...at, kind: 'draw' };
}

/**
 * The dragged box where the pointer is now; untouched until the pointer has really moved. A
 * handle follows the pointer's travel, not its position, so grabbing the hit square off-centre
 * does not make the edge jump to the finger. A resize stops at the smallest box that can be
 * drawn.
 */
export function edited(d: EditDrag, screen: Screen): Box {
  if (isTap(d.start, d.end, screen.w, screen.h)) return d.origin;
  const dx = d.end.x - d.start.x;
  const dy = d.end.y - d.start.y;
  if (!d.handle) return moveBox(d.origin, dx, dy);
  const grip = handlePoint(d.origin, d.handle);
  const min = { w: MIN_DRAG_PX / Math.max(1, screen.w), h: MIN_DRAG_PX / Math.max(1, screen.h) };
  return resizeBox(d.origin, d.handle, { x: grip.x + dx, y: grip.y + dy }, min);
}
