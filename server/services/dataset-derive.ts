import type { DatasetManifest, DeriveRule } from '../contract';
import { AppError } from '../http/app-error';
import { countByClass, filterUnlabeled, relabelImage } from './dataset-labels';

/** The classes a rule keeps, in their original order; ties in a top K go to the earlier class. */
export function classesKept(counts: number[], rule: DeriveRule) {
  const ranked = counts
    .map((count, index) => ({ count, index }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || a.index - b.index);
  const kept =
    rule.kind === 'top-k' ? ranked.slice(0, rule.k) : ranked.filter((c) => c.count >= rule.n);
  return kept.map((c) => c.index).sort((a, b) => a - b);
}

/**
 * A training set cut from one version by a rule on example counts: the kept classes are
 * renumbered 0..n-1 in their original order, labels of the others are removed, and images left
 * with no label are kept (as background) or dropped, as asked.
 */
export function deriveManifest(
  m: DatasetManifest,
  rule: DeriveRule,
  unlabeled: 'keep' | 'drop',
  name: string,
): DatasetManifest {
  const counts = countByClass(m);
  const kept = classesKept(counts, rule);
  if (kept.length === 0) {
    throw new AppError(
      400,
      'no_class_left',
      `no class passes the rule (the most examples any class has is ${Math.max(0, ...counts)})`,
      'Lower N, or label more images first.',
    );
  }
  const renumber = new Map(kept.map((old, i) => [old, i]));
  const images = m.images.map((image) => relabelImage(image, (c) => renumber.get(c) ?? null));
  return {
    name,
    ...(m.task ? { task: m.task } : {}),
    classes: kept.map((i) => m.classes[i]!),
    images: filterUnlabeled(images, unlabeled),
  };
}
