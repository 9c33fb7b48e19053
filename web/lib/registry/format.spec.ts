import { describe, expect, it } from 'vitest';
import { fmtMB, fmtMetric, fmtMs } from './format';

describe('registry formats', () => {
  it('shows a dash for what is missing', () => {
    expect(fmtMetric(undefined)).toBe('–');
    expect(fmtMetric(null)).toBe('–');
    expect(fmtMetric(Number.NaN)).toBe('–');
    expect(fmtMs(undefined)).toBe('–');
    expect(fmtMB(undefined)).toBe('–');
  });

  it('rounds to what a reader compares', () => {
    expect(fmtMetric(0.12345)).toBe('0.123');
    expect(fmtMs(4.24)).toBe('4.2 ms');
    expect(fmtMs(123.6)).toBe('124 ms');
    expect(fmtMB(5_432_100)).toBe('5.43 MB');
    expect(fmtMB(25_600_000)).toBe('25.6 MB');
  });
});
