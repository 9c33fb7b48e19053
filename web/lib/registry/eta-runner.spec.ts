import { describe, expect, it } from 'vitest';
import { addSample, jobEta } from './eta';

const progress = (batch: number, etaSeconds?: number) => ({
  epoch: 1,
  epochs: 2,
  batch,
  batches: 10,
  ...(etaSeconds === undefined ? {} : { etaSeconds }),
});

describe("the runner's time left", () => {
  it('is shown at once, counted down since its progress arrived', () => {
    const samples = addSample([], 1_000, 0.25);
    expect(jobEta(progress(5, 30), samples, 2, 1_000)).toEqual({
      remainingMs: 30_000,
      msPerEpoch: 20_000, // 30 s for the 1.5 epochs left
    });
    expect(jobEta(progress(5, 30), samples, 2, 11_000)?.remainingMs).toBe(20_000);
    expect(jobEta(progress(5, 30), samples, 2, 99_000)?.remainingMs).toBe(0);
  });

  it('wins over the rate watched here, and that rate is the fallback when there is none', () => {
    let samples = addSample([], 0, 0);
    samples = addSample(samples, 10_000, 0.5);
    expect(jobEta(progress(10, 4), samples, 2, 10_000)).toEqual({
      remainingMs: 4_000,
      msPerEpoch: 10_000, // per-epoch from the watched rate when there is one
    });
    expect(jobEta(progress(10), samples, 2, 10_000)).toEqual({
      remainingMs: 10_000,
      msPerEpoch: 10_000,
    });
    expect(jobEta(progress(10), addSample([], 0, 0.5), 2, 0)).toBeNull();
  });
});
