import { describe, expect, it } from 'vitest';
import { weakModelAdvice, type TrainedWith } from './weak-model';

const scratch: TrainedWith = { task: 'detect', epochs: 3, imgsz: 320, photos: 13, classes: 1 };
const pretrained: TrainedWith = {
  ...scratch,
  epochs: 60,
  imgsz: 640,
  photos: 400,
  baseWeights: { kind: 'pretrained', name: 'yolo11n.pt' },
};

describe('a model that finds nothing', () => {
  it('says so, with the causes its training shows and what to try', () => {
    const advice = weakModelAdvice({ 'metrics/mAP50(B)': 0 }, scratch)!;
    expect(advice.summary).toMatch(/finds almost nothing \(mAP50 0.000\)/);
    expect(advice.causes).toHaveLength(3);
    expect(advice.causes[0]).toMatch(/random weights/);
    expect(advice.tries[0]).toMatch(/Ultralytics' pretrained weights.*data\/weights folder/);
  });

  it('still explains a pretrained, long run, pointing at the labels', () => {
    const advice = weakModelAdvice({ 'metrics/mAP50(B)': 0.01 }, pretrained)!;
    expect(advice.causes).toEqual([]);
    expect(advice.tries).toEqual([expect.stringMatching(/^Check the labels/)]);
  });

  it('stays silent for a model that finds things, or when nothing was measured', () => {
    expect(weakModelAdvice({ 'metrics/mAP50(B)': 0.4 }, scratch)).toBeNull();
    expect(weakModelAdvice({}, scratch)).toBeNull();
    const classify = { ...scratch, task: 'classify' as const, classes: 4 };
    expect(weakModelAdvice({ 'metrics/accuracy_top1': 0.25 }, classify)).not.toBeNull();
    expect(weakModelAdvice({ 'metrics/accuracy_top1': 0.9 }, classify)).toBeNull();
  });
});
