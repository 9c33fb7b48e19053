import { describe, expect, it } from 'vitest';
import { inferenceMs, parseValidationReport } from './validation-report';

/** The shape report.py and job.py write for a detect model trained on the CPU. */
const DETECT = {
  metrics: { 'metrics/mAP50(B)': 0.5, 'metrics/mAP50-95(B)': 0.25, fitness: null },
  perClass: [
    {
      classIndex: 0,
      name: 'card',
      precision: 0.9,
      recall: 0.8,
      mAP50: 0.5,
      'mAP50-95': 0.25,
      instances: 12,
    },
  ],
  confusionMatrix: {
    names: ['card', 'background'],
    matrix: [
      [10, 1],
      [2, 0],
    ],
  },
  speedMs: { preprocess: 0.3, inference: 12.5, postprocess: 0.8 },
  onnxBenchmark: {
    file: 'model.onnx',
    provider: 'CPUExecutionProvider',
    onnxruntimeVersion: '1.20.0',
    inputShape: [1, 3, 64, 64],
    runs: 10,
    medianMs: 4.2,
    minMs: 4,
    maxMs: 5,
  },
};

describe('validation report', () => {
  it('reads the held-out test split when the job had one, and null when not', () => {
    const test = { images: 4, metrics: { 'metrics/mAP50-95(B)': 0.2 }, speedMs: null };
    const report = parseValidationReport({ ...DETECT, test });
    expect(report?.test).toEqual({
      images: 4,
      metrics: { 'metrics/mAP50-95(B)': 0.2 },
      perClass: [],
      confusionMatrix: null,
    });
    expect(parseValidationReport(DETECT)?.test).toBeNull();
  });

  it('reads what the runner writes', () => {
    const report = parseValidationReport(DETECT);
    expect(report?.perClass[0]?.name).toBe('card');
    expect(report?.confusionMatrix?.names).toEqual(['card', 'background']);
    expect(report?.onnxFp16Benchmark).toBeNull();
    expect(inferenceMs(report)).toBe(4.2);
  });

  it('fills the parts an older runner left out', () => {
    const report = parseValidationReport({ metrics: {}, perClass: [] });
    expect(report).toMatchObject({ confusionMatrix: null, speedMs: null, onnxBenchmark: null });
    expect(inferenceMs(report)).toBeUndefined();
  });

  it('falls back to PyTorch speed without a benchmark', () => {
    expect(inferenceMs(parseValidationReport({ ...DETECT, onnxBenchmark: null }))).toBe(12.5);
  });

  it('refuses what is not a report', () => {
    expect(parseValidationReport({ perClass: 'nope' })).toBeNull();
    expect(parseValidationReport(null)).toBeNull();
  });
});
