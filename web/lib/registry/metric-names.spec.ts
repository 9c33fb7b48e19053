import { describe, expect, it } from 'vitest';
import {
  higherIsBetter,
  metricLabel,
  orderMetricKeys,
  primaryValue,
  secondaryValue,
} from './metric-names';

describe('metric names per task', () => {
  const metrics = {
    'metrics/mAP50-95(B)': 0.4,
    'metrics/mAP50(B)': 0.6,
    'metrics/mAP50-95(M)': 0.3,
    'metrics/mAP50(M)': 0.5,
    'metrics/accuracy_top1': 0.9,
    'metrics/accuracy_top5': 1,
  };

  it('ranks detect by box mAP50-95, segment by mask mAP50-95, classify by top-1', () => {
    expect(primaryValue('detect', metrics)).toBe(0.4);
    expect(primaryValue('segment', metrics)).toBe(0.3);
    expect(primaryValue('classify', metrics)).toBe(0.9);
    expect(secondaryValue('detect', metrics)).toBe(0.6);
    expect(secondaryValue('segment', metrics)).toBe(0.5);
    expect(secondaryValue('classify', metrics)).toBe(1);
  });

  it('says undefined for a metric the task did not report', () => {
    expect(primaryValue('classify', { 'metrics/mAP50-95(B)': 0.4 })).toBeUndefined();
  });

  it('labels known keys and keeps unknown ones', () => {
    expect(metricLabel('metrics/mAP50-95(M)')).toBe('mask mAP50-95');
    expect(metricLabel('train/dfl_loss')).toBe('train/dfl_loss');
  });

  it('knows losses and learning rates are not better higher', () => {
    expect(higherIsBetter('val/box_loss')).toBe(false);
    expect(higherIsBetter('lr/pg0')).toBe(false);
    expect(higherIsBetter('metrics/recall(B)')).toBe(true);
  });

  it('orders metrics before losses, without duplicates', () => {
    expect(
      orderMetricKeys([
        'train/box_loss',
        'lr/pg0',
        'metrics/mAP50(B)',
        'val/box_loss',
        'fitness',
        'metrics/mAP50(B)',
      ]),
    ).toEqual(['metrics/mAP50(B)', 'fitness', 'val/box_loss', 'train/box_loss', 'lr/pg0']);
  });
});
