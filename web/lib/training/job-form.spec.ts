import { describe, expect, it } from 'vitest';
import { changedHyperparameters, defaultDraft, validateDraft } from './job-form';

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
