import { describe, expect, it } from 'vitest';
import { modelTitle, type TitledModel } from './model-title';
import { versionLabel } from './delivery-plan';

const version = (id: string, minute: number, o: Partial<TitledModel> = {}): TitledModel => ({
  id,
  createdAt: `2026-12-07T14:${String(minute).padStart(2, '0')}:00.000Z`,
  metadata: {
    architecture: 'yolo11n',
    task: 'detect',
    epochs: 150,
    metrics: { 'metrics/mAP50-95(B)': 0.0172 },
  },
  ...o,
});

describe('modelTitle', () => {
  it('tells apart versions of one architecture, task and classes', () => {
    const titles = [1, 2, 3, 4].map((i) => modelTitle(version(`id-${i}-xxxxxx`, i)));
    expect(new Set(titles).size).toBe(4);
    expect(titles[0]).toBe('yolo11n · 2026-12-07 14:01 · 150 epochs · mAP50-95 0.017 · id-1-xxx');
  });
  it('puts a given name first', () => {
    expect(modelTitle(version('abc', 5, { name: 'Card finder' }))).toBe(
      'Card finder (yolo11n · 2026-12-07 14:05)',
    );
  });
  it('leaves out a score the version does not have', () => {
    const bare = version('abcdefghij', 6, {
      metadata: { architecture: 'yolo11n', task: 'classify' },
    });
    expect(modelTitle(bare)).toBe('yolo11n · 2026-12-07 14:06 · abcdefgh');
  });
});

describe('versionLabel', () => {
  it('uses the name when the version has one', () => {
    expect(versionLabel({ ...version('0123456789', 7), name: 'Cards v2' })).toBe(
      'Cards v2 · 2026-12-07 14:07 · 01234567',
    );
  });
});
