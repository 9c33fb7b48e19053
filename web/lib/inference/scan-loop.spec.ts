import { describe, expect, it } from 'vitest';
import { startScanLoop, type ScanStats } from './scan-loop';
import type { TaskResult } from './types';

const result: TaskResult = {
  task: 'detect',
  detections: [],
  timings: { preMs: 1, inferenceMs: 2, postMs: 3 },
  backend: 'wasm',
  imageWidth: 4,
  imageHeight: 3,
};

const bitmap = () => ({ close() {} }) as unknown as ImageBitmap;

describe('startScanLoop', () => {
  it('drops frames that arrive while the model is busy instead of queueing them', async () => {
    let tick!: () => void;
    const pending: (() => void)[] = [];
    const seen: ScanStats[] = [];
    let clock = 0;
    const stop = startScanLoop({
      onFrames: (f) => {
        tick = f;
        return () => {};
      },
      grab: async () => bitmap(),
      run: () => new Promise<TaskResult>((resolve) => pending.push(() => resolve(result))),
      onResult: (_, s) => seen.push(s),
      onError: (e) => {
        throw e;
      },
      now: () => clock,
    });
    tick();
    await Promise.resolve();
    await Promise.resolve();
    tick(); // busy: dropped
    tick(); // busy: dropped
    expect(pending).toHaveLength(1);
    clock = 100;
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    tick();
    await new Promise((r) => setTimeout(r, 0));
    clock = 300;
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.map((s) => [s.processed, s.dropped])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(seen[1]!.fps).toBeCloseTo(5, 6); // one frame in 200 ms
    stop();
    tick();
    expect(pending).toHaveLength(0);
  });
});
