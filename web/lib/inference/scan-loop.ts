/**
 * Live scan: offers every camera frame to the model, but only while it is idle. A frame that
 * arrives while the model is busy is dropped, never queued, so the overlay always shows the
 * newest answer and the delay never grows. Page code; the camera and the worker are passed in.
 */
import type { TaskResult } from './types';

export interface ScanStats {
  /** Frames the model answered per second, over the last second or so. */
  fps: number;
  processed: number;
  dropped: number;
}

export interface ScanLoopOptions {
  /** Calls `onFrame` once per displayed camera frame until the returned function is called. */
  onFrames(onFrame: () => void): () => void;
  /** Grabs the current frame (null when the camera has none yet). */
  grab(): Promise<ImageBitmap | null>;
  run(frame: ImageBitmap): Promise<TaskResult>;
  onResult(result: TaskResult, stats: ScanStats): void;
  onError(error: unknown): void;
  now?: () => number;
}

export function startScanLoop(options: ScanLoopOptions): () => void {
  const now = options.now ?? (() => performance.now());
  let busy = false;
  let stopped = false;
  const stats: ScanStats = { fps: 0, processed: 0, dropped: 0 };
  const finished: number[] = [];

  async function frame() {
    if (stopped) return;
    if (busy) {
      stats.dropped++;
      return;
    }
    busy = true;
    try {
      const bitmap = await options.grab();
      if (!bitmap || stopped) {
        bitmap?.close();
        return;
      }
      const result = await options.run(bitmap);
      if (stopped) return;
      const t = now();
      finished.push(t);
      while (finished.length > 1 && t - finished[0]! > 1000) finished.shift();
      stats.processed++;
      const span = finished.length > 1 ? t - finished[0]! : 0;
      stats.fps = span > 0 ? ((finished.length - 1) * 1000) / span : 0;
      options.onResult(result, { ...stats });
    } catch (error) {
      if (!stopped) options.onError(error);
    } finally {
      busy = false;
    }
  }

  const stopFrames = options.onFrames(() => void frame());
  return () => {
    stopped = true;
    stopFrames();
  };
}
