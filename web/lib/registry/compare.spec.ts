import { describe, expect, it } from 'vitest';
import {
  bestColumns,
  formatCell,
  metricRows,
  metricRowsOf,
  parseCompareIds,
  perClassRows,
  specRows,
} from './compare';
import { fixtureModel } from './registry-fixtures';
import { parseValidationReport } from './validation-report';

describe('compare', () => {
  it('lines up the validation and test splits of one model, metric by metric', () => {
    const rows = metricRowsOf([
      { 'metrics/mAP50-95(B)': 0.3, 'metrics/mAP50(B)': 0.6 },
      { 'metrics/mAP50-95(B)': 0.2 },
    ]);
    const map = rows.find((r) => r.key === 'metrics/mAP50-95(B)');
    expect(map?.values).toEqual([0.3, 0.2]);
    expect(map?.best).toEqual([0]);
    expect(rows.find((r) => r.key === 'metrics/mAP50(B)')?.values).toEqual([0.6, undefined]);
  });

  it('reads ids once each, in order, at most six', () => {
    expect(parseCompareIds(' b,a,,b ')).toEqual(['b', 'a']);
    expect(parseCompareIds(null)).toEqual([]);
    expect(parseCompareIds('1,2,3,4,5,6,7')).toHaveLength(6);
  });

  it('marks the best column, lower for losses, none for a lone value', () => {
    expect(bestColumns([0.2, 0.5, 0.5], false)).toEqual([1, 2]);
    expect(bestColumns([0.2, undefined, 0.1], true)).toEqual([2]);
    expect(bestColumns([0.2, undefined], false)).toEqual([]);
    expect(bestColumns([0.3, 0.3], false)).toEqual([]);
  });

  it('puts every metric of any model in a row', () => {
    const rows = metricRows([
      fixtureModel('a', 'detect', { 'val/box_loss': 1.2, 'metrics/mAP50(B)': 0.4 }),
      fixtureModel('b', 'detect', { 'val/box_loss': 1.0, 'metrics/mAP50(B)': 0.3, fitness: 0.1 }),
    ]);
    expect(rows.map((r) => [r.label, r.values, r.best])).toEqual([
      ['mAP50', [0.4, 0.3], [0]],
      ['fitness', [undefined, 0.1], []],
      ['val/box_loss', [1.2, 1.0], [1]],
    ]);
  });

  it('lines up classes across reports with the task’s per-class number', () => {
    const report = (perClass: unknown[]) => parseValidationReport({ perClass });
    const seg = perClassRows('segment', [
      report([{ name: 'card', 'mAP50-95': 0.9, mask: { 'mAP50-95': 0.5 } }]),
      null,
      report([
        { name: 'back', mask: { 'mAP50-95': 0.2 } },
        { name: 'card', mask: { 'mAP50-95': 0.6 } },
      ]),
    ]);
    expect(seg.map((r) => [r.label, r.values])).toEqual([
      ['card', [0.5, undefined, 0.6]],
      ['back', [undefined, undefined, 0.2]],
    ]);
    const cls = perClassRows('classify', [report([{ name: 'holo', recall: 0.75 }])]);
    expect(cls[0]?.values).toEqual([0.75]);
  });

  it('compares size, speed and training time, smaller and faster marked best', () => {
    const rows = specRows([
      {
        model: fixtureModel('a', 'detect', {}, { onnxBytes: 9e6 }),
        inferenceMs: 4,
        trainingMs: 60_000,
      },
      {
        model: fixtureModel('b', 'detect', {}, { onnxBytes: 5e6 }),
        inferenceMs: 6,
        trainingMs: undefined,
      },
    ]);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey['onnx-bytes']?.best).toEqual([1]);
    expect(byKey['speed']?.best).toEqual([0]);
    expect(byKey['training']?.values).toEqual([60_000, undefined]);
    expect(formatCell(60_000, 'training')).toBe('1 min 00 s');
    expect(formatCell(5e6, 'onnx-bytes')).toBe('5.00 MB');
    expect(formatCell(undefined, 'speed')).toBe('–');
    expect(formatCell(0.5, 'metrics/mAP50(B)')).toBe('0.500');
  });
});
