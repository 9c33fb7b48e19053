import { describe, expect, it } from 'vitest';
import { backoffDelay } from './reconnect-backoff';

describe('backoffDelay', () => {
  it('doubles from half a second and stops growing at 30 s', () => {
    const top = (attempt: number) => backoffDelay(attempt, () => 1);
    expect([0, 1, 2, 3].map(top)).toEqual([500, 1000, 2000, 4000]);
    expect(top(20)).toBe(30_000);
    expect(top(1000)).toBe(30_000);
  });

  it('spreads retries over the upper half of each step', () => {
    expect(backoffDelay(3, () => 0)).toBe(2000);
    expect(backoffDelay(3, () => 0.5)).toBe(3000);
  });
});
