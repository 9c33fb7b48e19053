import { describe, expect, it } from 'vitest';
import { removalConsequence } from './dataset-removal';

describe('removalConsequence', () => {
  it('says a dataset never synced is gone for good', () => {
    expect(
      removalConsequence('Cards', { onServer: false, sealed: false, unsyncedEdits: 4, images: 1 }),
    ).toBe(
      'Deletes "Cards" (1 photo and their labels) from this device. It was never synced, so no copy exists anywhere else: it is gone for good.',
    );
  });
  it('says the server keeps a synced dataset, and which edits are lost', () => {
    const text = removalConsequence('Cards', {
      onServer: true,
      sealed: true,
      unsyncedEdits: 2,
      images: 13,
    });
    expect(text).toContain('13 photos');
    expect(text).toContain('The server keeps its copy');
    expect(text).toContain('2 label changes not yet synced are lost: sync first to keep them.');
  });
});
