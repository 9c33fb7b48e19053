/**
 * Which of a device's photos an evaluation may score: a model measured on photos it trained on
 * looks better than it is, so those are skipped. The job's split (GET /api/jobs/:id/split) says
 * which photos trained, validated and tested; a photo it does not list was never seen.
 */
import type { JobSplitReport } from '$contract';
import type { AnnotationRow } from '$lib/db/database';
import { datasetImagePages } from '$lib/db/dataset-pages';
import { imageItem } from '$lib/inference/dataset-batch';
import type { BatchSource } from '$lib/inference/batch-runner';

export type Side = 'train' | 'val' | 'test' | 'unseen';
export type SideCounts = Record<Side, number>;

/** Each photo's side in the model's training, by hash. */
export function sidesOf(split: JobSplitReport): Map<string, Side> {
  return new Map(split.photos.map((p) => [p.sha256, p.split]));
}

/** How many of these photos fall on each side. */
export function countSides(shas: Iterable<string>, sides: ReadonlyMap<string, Side>): SideCounts {
  const counts: SideCounts = { train: 0, val: 0, test: 0, unseen: 0 };
  for (const sha of shas) counts[sides.get(sha) ?? 'unseen'] += 1;
  return counts;
}

/** "1 photo", "3 photos". */
export const photos = (n: number) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

/** What the result is measured on, in words: "12 photos: 3 of its validation photos, …". */
export function heldOutWords(counts: SideCounts): string {
  const scored = counts.val + counts.test + counts.unseen;
  const parts = [
    counts.val && `${counts.val} of its validation photos`,
    counts.test && `${counts.test} of its test photos`,
    counts.unseen && `${counts.unseen} it never saw`,
  ].filter(Boolean);
  const skipped = counts.train ? `; ${photos(counts.train)} it trained on skipped` : '';
  return `${photos(scored)} scored (${parts.join(', ') || 'none'})${skipped}`;
}

/**
 * The dataset's photos minus those the model trained on, as a batch for evaluateDataset. Rows
 * are read twice (once to count, for progress), images once.
 */
export async function heldOutBatch(
  datasetId: string,
  sides: ReadonlyMap<string, Side>,
): Promise<{ source: BatchSource<AnnotationRow>; counts: SideCounts }> {
  const shas: string[] = [];
  for await (const rows of datasetImagePages(datasetId)) shas.push(...rows.map((r) => r.sha256));
  const counts = countSides(shas, sides);
  const source: BatchSource<AnnotationRow> = {
    total: shas.length - counts.train,
    async *pages() {
      for await (const rows of datasetImagePages(datasetId)) {
        yield rows.filter((r) => sides.get(r.sha256) !== 'train').map(imageItem);
      }
    },
  };
  return { source, counts };
}
