import { describe, expect, it } from 'vitest';
import { eachInParallel } from './each-in-parallel';

/** A promise settled from outside, so the test decides the order things finish in. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('eachInParallel', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachInParallel([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      done.push(n);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('after a failure starts nothing new, lets started items settle, throws the first error', async () => {
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const settled: number[] = [];
    const run = eachInParallel([0, 1, 2, 3, 4], 2, async (n) => {
      started.push(n);
      await gates[n]!.promise;
      settled.push(n);
    });
    await new Promise((resolve) => setImmediate(resolve));
    gates[1]!.fail(new Error('item 1 failed'));
    await new Promise((resolve) => setImmediate(resolve));
    let finished = false;
    void run.catch(() => {}).then(() => (finished = true));
    await new Promise((resolve) => setImmediate(resolve));
    // Item 0 is still running: the call must wait for it, so its caller can clean up after it.
    expect(finished).toBe(false);
    gates[0]!.open();
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(settled).toEqual([0]);
  });
});
