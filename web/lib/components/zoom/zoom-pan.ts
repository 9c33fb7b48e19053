// A Svelte action that zooms and pans a labeling stage without fighting the drawing: the mouse
// wheel zooms around the pointer; two fingers pinch and pan (the second finger cancels the
// drawing the first one began); the middle button, or a drag with Space held, pans; + - and 0
// zoom in, out and back. resetZoom(stage) (the next photo, or a tap on "Reset zoom") goes back to
// 1x, so a zoom never carries over to a photo it was not made for. The transform goes on the stage's first child, so the editors, which
// read positions from the SVG's on-screen rectangle, keep drawing exactly under the pointer.
import { IDENTITY, panBy, pinch, zoomAt, type View } from './zoom-math';

export interface ZoomPanOptions {
  /** Called when a gesture takes over, so the editor drops a drawing in progress. */
  ongesture: () => void;
  /** Told the scale after each change, so the editor can offer "Reset zoom" while zoomed. */
  onzoom?: (scale: number) => void;
}

const RESET = 'loupe-zoom-reset';

/** Puts a stage that has the zoomPan action back to 1x. */
export function resetZoom(stage: HTMLElement | undefined): void {
  stage?.dispatchEvent(new Event(RESET));
}

export function zoomPan(node: HTMLElement, options: ZoomPanOptions) {
  let view: View = IDENTITY;
  let opts = options;
  const touches = new Map<number, { x: number; y: number }>();
  let pinchStart: { view: View; a: { x: number; y: number }; b: { x: number; y: number } } | null =
    null;
  let pan: { pointerId: number; x: number; y: number } | null = null;
  let space = false;

  const size = () => ({ w: node.clientWidth, h: node.clientHeight });
  const local = (e: { clientX: number; clientY: number }) => {
    const r = node.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  function apply(next: View) {
    view = next;
    const content = node.firstElementChild as HTMLElement | null;
    if (!content) return;
    content.style.transformOrigin = '0 0';
    content.style.transform =
      view.scale === 1 ? '' : `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    node.dataset.zoom = view.scale.toFixed(2);
    opts.onzoom?.(view.scale);
  }

  function onwheel(e: WheelEvent) {
    e.preventDefault(); // the page must not scroll while the image zooms
    const { w, h } = size();
    const p = local(e);
    apply(zoomAt(view, Math.exp(-e.deltaY * 0.0015), p.x, p.y, w, h));
  }

  function stop(e: Event) {
    e.stopPropagation();
    e.preventDefault();
  }

  function ondown(e: PointerEvent) {
    if (e.pointerType === 'touch') {
      touches.set(e.pointerId, local(e));
      if (touches.size === 2) {
        opts.ongesture();
        const [a, b] = [...touches.values()] as [
          { x: number; y: number },
          { x: number; y: number },
        ];
        pinchStart = { view, a, b };
        stop(e);
      }
      return;
    }
    if (e.button === 1 || (e.button === 0 && space)) {
      pan = { pointerId: e.pointerId, ...local(e) };
      node.setPointerCapture(e.pointerId);
      stop(e);
    }
  }

  function onmove(e: PointerEvent) {
    const { w, h } = size();
    if (touches.has(e.pointerId)) {
      touches.set(e.pointerId, local(e));
      if (pinchStart && touches.size >= 2) {
        const [a, b] = [...touches.values()] as [
          { x: number; y: number },
          { x: number; y: number },
        ];
        apply(pinch(pinchStart.view, pinchStart.a, pinchStart.b, a, b, w, h));
        stop(e);
      }
      return;
    }
    if (pan?.pointerId === e.pointerId) {
      const p = local(e);
      apply(panBy(view, p.x - pan.x, p.y - pan.y, w, h));
      pan = { pointerId: e.pointerId, ...p };
      stop(e);
    }
  }

  function onup(e: PointerEvent) {
    const wasPinching = pinchStart !== null;
    touches.delete(e.pointerId);
    if (touches.size < 2) pinchStart = null;
    if (wasPinching) stop(e); // the lifted finger must not end a tap in the editor
    if (pan?.pointerId === e.pointerId) {
      pan = null;
      stop(e);
    }
  }

  function onkey(e: KeyboardEvent) {
    if (e.key === ' ') space = e.type === 'keydown';
    if (e.type !== 'keydown' || e.ctrlKey || e.metaKey || e.altKey) return;
    const { w, h } = size();
    const zoom = { '+': 1.25, '=': 1.25, '-': 0.8 }[e.key];
    if (zoom) apply(zoomAt(view, zoom, w / 2, h / 2, w, h));
    else if (e.key === '0') apply(IDENTITY);
    else return;
    e.preventDefault();
  }

  const onreset = () => apply(IDENTITY);
  node.addEventListener(RESET, onreset);
  node.addEventListener('wheel', onwheel, { passive: false });
  node.addEventListener('pointerdown', ondown, true);
  node.addEventListener('pointermove', onmove, true);
  node.addEventListener('pointerup', onup, true);
  node.addEventListener('pointercancel', onup, true);
  node.addEventListener('keydown', onkey);
  node.addEventListener('keyup', onkey);
  return {
    update(next: ZoomPanOptions) {
      opts = next;
    },
    destroy() {
      node.removeEventListener(RESET, onreset);
      node.removeEventListener('wheel', onwheel);
      node.removeEventListener('pointerdown', ondown, true);
      node.removeEventListener('pointermove', onmove, true);
      node.removeEventListener('pointerup', onup, true);
      node.removeEventListener('pointercancel', onup, true);
      node.removeEventListener('keydown', onkey);
      node.removeEventListener('keyup', onkey);
    },
  };
}
