// Zoom and pan of a labeling stage as one transform: translate(x, y) scale(s) with the origin at
// the top-left. The content always covers the stage (no empty border), from 1x to MAX_SCALE.

export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MAX_SCALE = 8;
export const IDENTITY: View = { scale: 1, x: 0, y: 0 };

/** Keeps the scale in range and the content covering a stage of this size. */
export function clampView(view: View, width: number, height: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(1, view.scale));
  const clampAxis = (v: number, size: number) => Math.min(0, Math.max(size - size * scale, v));
  return { scale, x: clampAxis(view.x, width), y: clampAxis(view.y, height) };
}

/** Zooms by `factor` keeping the stage point (px, py) over the same spot of the image. */
export function zoomAt(
  view: View,
  factor: number,
  px: number,
  py: number,
  width: number,
  height: number,
): View {
  return clampView(scaleAbout(view, factor, px, py), width, height);
}

/** The view scaled by `factor` (kept in range) about the stage point (px, py), unclamped. */
function scaleAbout(view: View, factor: number, px: number, py: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(1, view.scale * factor));
  const k = scale / view.scale;
  return { scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k };
}

export function panBy(view: View, dx: number, dy: number, width: number, height: number): View {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, width, height);
}

/**
 * A two-finger gesture: the view that keeps the image under both fingers, from where they
 * started (a0, b0, with the view then) to where they are (a, b).
 */
export function pinch(
  start: View,
  a0: { x: number; y: number },
  b0: { x: number; y: number },
  a: { x: number; y: number },
  b: { x: number; y: number },
  width: number,
  height: number,
): View {
  const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y) || 1;
  const d = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const m0 = { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 };
  const m = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const zoomed = scaleAbout(start, d / d0, m0.x, m0.y);
  return clampView(
    { ...zoomed, x: zoomed.x + m.x - m0.x, y: zoomed.y + m.y - m0.y },
    width,
    height,
  );
}
