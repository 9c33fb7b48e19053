import { describe, expect, it } from 'vitest';
import { addSample, estimateEta, progressFraction, type ProgressSample } from './eta';

const progress = (epoch: number, batch: number) => ({ epoch, epochs: 4, batch, batches: 10 });

describe('progress fraction', () => {
  it('counts batches across epochs', () => {
    expect(progressFraction('training', progress(1, 0))).toBe(0);
    expect(progressFraction('training', progress(2, 5))).toBeCloseTo(15 / 40);
    expect(progressFraction('training', progress(4, 10))).toBe(1);
  });

  it('is 0 before any progress and 1 once training is over', () => {
    expect(progressFraction('queued', null)).toBe(0);
    expect(progressFraction('exporting', progress(4, 3))).toBe(1);
  });

  it('treats an epoch without batch counts as one step', () => {
    expect(progressFraction('training', { epoch: 2, epochs: 4, batch: 0, batches: 0 })).toBe(0.25);
  });
});

describe('ETA', () => {
  const feed = (points: [number, number][]) =>
    points.reduce<ProgressSample[]>((s, [at, f]) => addSample(s, at, f), []);

  it('says nothing until a few seconds of progress were watched', () => {
    expect(estimateEta([], 4, 0)).toBeNull();
    expect(
      estimateEta(
        feed([
          [0, 0.1],
          [1000, 0.2],
        ]),
        4,
        1000,
      ),
    ).toBeNull();
  });

  it('extrapolates the watched rate', () => {
    // 10% every 5 s: 60% left takes 30 s; an epoch (25%) 12.5 s.
    const eta = estimateEta(
      feed([
        [0, 0.2],
        [5000, 0.3],
        [10_000, 0.4],
      ]),
      4,
      10_000,
    );
    expect(eta?.remainingMs).toBeCloseTo(30_000);
    expect(eta?.msPerEpoch).toBeCloseTo(12_500);
  });

  it('counts down between events', () => {
    const eta = estimateEta(
      feed([
        [0, 0.2],
        [10_000, 0.4],
      ]),
      4,
      14_000,
    );
    expect(eta?.remainingMs).toBeCloseTo(26_000);
  });

  it('collapses a replayed burst, so history does not look instantaneous', () => {
    // Opening the stream replays 0..0.5 within milliseconds, then live events follow.
    const samples = feed([
      [0, 0],
      [2, 0.1],
      [4, 0.3],
      [6, 0.5],
      [10_006, 0.6],
    ]);
    expect(samples).toEqual([
      { at: 6, fraction: 0.5 },
      { at: 10_006, fraction: 0.6 },
    ]);
    expect(estimateEta(samples, 4, 10_006)?.remainingMs).toBeCloseTo(40_000);
  });

  it('starts over when a job goes back (a resume from a checkpoint)', () => {
    expect(
      feed([
        [0, 0.5],
        [5000, 0.6],
        [10_000, 0.2],
      ]),
    ).toEqual([{ at: 10_000, fraction: 0.2 }]);
  });

  it('keeps about two minutes of samples', () => {
    const samples = feed(
      Array.from({ length: 40 }, (_, i) => [i * 10_000, i / 100] as [number, number]),
    );
    expect(samples[0]!.at).toBeGreaterThanOrEqual(390_000 - 120_000);
  });

  it('has no rate while progress stands still', () => {
    expect(
      estimateEta(
        feed([
          [0, 0.2],
          [10_000, 0.2],
        ]),
        4,
        10_000,
      ),
    ).toBeNull();
  });
});
