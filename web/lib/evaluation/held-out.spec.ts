import { describe, expect, it } from 'vitest';
import type { JobSplitReport } from '$contract';
import { countSides, heldOutWords, sidesOf } from './held-out';

const sha = (c: string) => c.repeat(64);
const split: JobSplitReport = {
  jobId: 'j',
  datasetVersionId: sha('0'),
  seed: 0,
  photos: [
    { sha256: sha('a'), fileName: 'a.jpg', split: 'train', pinned: false },
    { sha256: sha('b'), fileName: 'b.jpg', split: 'train', pinned: false },
    { sha256: sha('c'), fileName: 'c.jpg', split: 'val', pinned: true },
    { sha256: sha('d'), fileName: 'd.jpg', split: 'test', pinned: false },
  ],
};

describe('held-out photos', () => {
  it('counts each photo on its side; a photo the job never listed was never seen', () => {
    const counts = countSides([sha('a'), sha('b'), sha('c'), sha('d'), sha('e')], sidesOf(split));
    expect(counts).toEqual({ train: 2, val: 1, test: 1, unseen: 1 });
    expect(heldOutWords(counts)).toBe(
      '3 photos scored (1 of its validation photos, 1 of its test photos, 1 it never saw); ' +
        '2 photos it trained on skipped',
    );
  });

  it('says when nothing is left to score', () => {
    const counts = countSides([sha('a')], sidesOf(split));
    expect(heldOutWords(counts)).toBe('0 photos scored (none); 1 photo it trained on skipped');
  });
});
