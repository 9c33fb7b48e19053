import { describe, expect, it } from 'vitest';
import { EPOCH_TIME_KEY, GPU_MEMORY_KEY } from '$contract';
import { epochResources, timeLeft } from './epoch-resources';

describe('what an epoch cost', () => {
  it('shows the epoch time, and GPU memory only when the runner measured it', () => {
    expect(epochResources({ [EPOCH_TIME_KEY]: 12.4, 'metrics/mAP50(B)': 0.5 })).toBe(
      '12 s per epoch',
    );
    expect(epochResources({ [EPOCH_TIME_KEY]: 1.7, [GPU_MEMORY_KEY]: 3.14159 })).toBe(
      '2 s per epoch · 3.14 GiB GPU memory',
    );
    expect(epochResources({})).toBe('');
  });

  it("shows the runner's time left, or nothing without one", () => {
    const progress = { epoch: 1, epochs: 3, batch: 2, batches: 4 };
    expect(timeLeft(progress)).toBe('');
    expect(timeLeft({ ...progress, etaSeconds: 42 })).toBe('about 42 s left');
  });
});
