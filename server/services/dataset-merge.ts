import { ownValue, type DatasetManifest, type ManifestImage } from '../contract';
import { AppError } from '../http/app-error';
import { filterUnlabeled, relabelImage } from './dataset-labels';

export type MergeSource = {
  id: string;
  manifest: DatasetManifest;
  /** Source class name -> target class name, or null to drop it; absent keeps the name. */
  classMap: Record<string, string | null>;
};

/**
 * Several versions as one training set. Target classes are numbered in order of first
 * appearance; an image in several sources (same SHA-256) gets the union of their labels, and
 * two different image classes for it are a conflict the caller must resolve in the mapping.
 */
export function mergeManifests(
  name: string,
  sources: MergeSource[],
  unlabeled: 'keep' | 'drop',
): DatasetManifest {
  const task = sources[0]?.manifest.task ?? 'detect';
  const targets: string[] = [];
  const images = new Map<string, ManifestImage>();
  for (const source of sources) {
    const m = source.manifest;
    if ((m.task ?? 'detect') !== task) {
      throw new AppError(
        400,
        'task_mismatch',
        `version ${source.id} is a ${m.task ?? 'detect'} dataset, the first source is ${task}`,
        'Merge versions of one task only.',
      );
    }
    const unknown = Object.keys(source.classMap).filter((c) => !m.classes.includes(c));
    if (unknown.length > 0) {
      throw new AppError(
        400,
        'unknown_class',
        `the class map of version ${source.id} names classes it does not have: ${unknown.join(', ')}`,
        `Its classes are: ${m.classes.join(', ')}.`,
      );
    }
    const mapped = m.classes.map((c) => {
      const mappedTo = ownValue(source.classMap, c);
      const target = mappedTo === undefined ? c : mappedTo;
      if (target === null) return null;
      if (!targets.includes(target)) targets.push(target);
      return targets.indexOf(target);
    });
    for (const image of m.images) {
      const relabeled = relabelImage(image, (i) => mapped[i] ?? null);
      const earlier = images.get(image.sha256);
      images.set(image.sha256, earlier ? unite(earlier, relabeled, targets) : relabeled);
    }
  }
  if (targets.length === 0) {
    throw new AppError(
      400,
      'no_class_left',
      'the class map drops every class',
      'Keep at least one.',
    );
  }
  return {
    name,
    ...(task !== 'detect' ? { task } : {}),
    classes: targets,
    images: filterUnlabeled([...images.values()], unlabeled),
  };
}

/** One image's labels from two sources, without repeating a label both had. */
function unite(a: ManifestImage, b: ManifestImage, targets: string[]): ManifestImage {
  if (a.imageClass !== undefined && b.imageClass !== undefined && a.imageClass !== b.imageClass) {
    throw new AppError(
      409,
      'merge_conflict',
      `image ${a.sha256} (${a.fileName}) is "${targets[a.imageClass]}" in one source and "${targets[b.imageClass]}" in another`,
      'Map one of those classes onto the other, or drop one, and merge again.',
      { sha256: a.sha256 },
    );
  }
  const union = <T>(x: T[], y: T[]) => {
    const seen = new Set(x.map((v) => JSON.stringify(v)));
    return [...x, ...y.filter((v) => !seen.has(JSON.stringify(v)))];
  };
  const polygons = union(a.polygons ?? [], b.polygons ?? []);
  const imageClass = a.imageClass ?? b.imageClass;
  return {
    ...a,
    boxes: union(a.boxes, b.boxes),
    ...(polygons.length > 0 ? { polygons } : {}),
    ...(imageClass !== undefined ? { imageClass } : {}),
  };
}
