import { describe, expect, it } from 'vitest';
import type { ModelVersion, Task } from '$contract';
import {
  baseCandidates,
  changedHyperparameters,
  chooseTask,
  defaultDraft,
  startFrom,
  validateDraft,
} from './job-form';

const dataset = 'a'.repeat(64);

describe('training job drafts', () => {
  it('accepts the defaults once a dataset is chosen', () => {
    expect(validateDraft(defaultDraft(dataset))).toEqual({ ok: true });
    expect(validateDraft(defaultDraft())).toMatchObject({
      ok: false,
      errors: { datasetVersionId: expect.any(String) },
    });
  });

  it('names each wrong field by its path', () => {
    const draft = { ...defaultDraft(dataset), imgsz: 100, hyperparameters: { lr0: 5 } };
    const result = validateDraft(draft);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.imgsz).toMatch(/multiple of 32/);
      expect(Object.keys(result.errors)).toContain('hyperparameters.lr0');
    }
  });

  it('accepts "auto" batch and lists only hyperparameters that differ from the defaults', () => {
    expect(validateDraft({ ...defaultDraft(dataset), batch: 'auto' })).toEqual({ ok: true });
    expect(changedHyperparameters({ lr0: 0.01, mosaic: 0.5, optimizer: 'AdamW' })).toEqual([
      ['mosaic', 0.5],
      ['optimizer', 'AdamW'],
    ]);
  });
});

describe('starting from an earlier model version', () => {
  const model = (id: string, task: Task, architecture = 'yolov8s') =>
    ({ id, task, metadata: { architecture } }) as ModelVersion;
  const models = [model('m-detect', 'detect'), model('m-classify', 'classify', 'yolo11n')];

  it('offers only model versions of the same task', () => {
    expect(baseCandidates(models, 'detect').map((m) => m.id)).toEqual(['m-detect']);
  });

  it("fine-tunes with the base's architecture, and goes back to scratch without weights", () => {
    const draft = startFrom(defaultDraft(dataset), models[0]!);
    expect(draft).toMatchObject({
      model: 'yolov8s',
      baseWeights: { kind: 'model-version', modelVersionId: 'm-detect' },
    });
    expect(validateDraft(draft)).toEqual({ ok: true });
    expect('baseWeights' in startFrom(draft, null)).toBe(false);
  });

  it('drops a base of another task when the task changes', () => {
    const draft = startFrom(defaultDraft(dataset), models[0]!);
    expect(chooseTask(draft, 'classify', models)).not.toHaveProperty('baseWeights');
    expect(chooseTask(draft, 'detect', models).baseWeights).toEqual(draft.baseWeights);
  });
});
