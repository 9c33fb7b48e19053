import {
  assignSplit,
  type DatasetManifest,
  type JobConfig,
  type JobSplit,
  type JobSplitReport,
  type SplitPhoto,
  type SplitPreview,
  type SplitResult,
} from '../contract';
import { labelClassesPerImage } from './training-labels';

/**
 * A job's split, from its dataset version and settings (contract/split.ts holds the algorithm).
 * The photos are those the task trains on, each hash once (its first entry's labels and pin):
 * every one for detect and segment (unlabelled ones are background), only those with an image
 * class for classify. The gpu-runner materialises exactly these lists.
 */
export function splitForJob(manifest: DatasetManifest, config: JobConfig): SplitResult {
  const perImage = labelClassesPerImage(manifest, config.task, config.annotationTypes);
  const photos = new Map<string, SplitPhoto>();
  manifest.images.forEach((image, i) => {
    if (config.task === 'classify' && image.imageClass === undefined) return;
    if (photos.has(image.sha256)) return;
    photos.set(image.sha256, {
      sha256: image.sha256,
      pin: image.split,
      classes: perImage[i] ?? [],
    });
  });
  return assignSplit([...photos.values()], config);
}

export function splitPreview(manifest: DatasetManifest, config: JobConfig): SplitPreview {
  const result = splitForJob(manifest, config);
  const pins = pinsOf(manifest);
  const zero = { train: 0, val: 0, test: 0 };
  if (!result.ok) return { counts: zero, pinned: zero, photos: 0, problem: result.problem };
  const { split } = result;
  const count = (side: keyof JobSplit) =>
    split[side].filter((sha) => pins.get(sha) === side).length;
  return {
    counts: { train: split.train.length, val: split.val.length, test: split.test.length },
    pinned: { train: count('train'), val: count('val'), test: count('test') },
    photos: new Set([...split.train, ...split.val, ...split.test]).size,
    problem: null,
  };
}

export function splitReport(
  jobId: string,
  manifest: DatasetManifest,
  config: JobConfig,
  split: JobSplit,
): JobSplitReport {
  const names = new Map(manifest.images.map((image) => [image.sha256, image.fileName]));
  const pins = pinsOf(manifest);
  const sides = ['train', 'val', 'test'] as const;
  return {
    jobId,
    datasetVersionId: config.datasetVersionId,
    seed: config.seed,
    photos: sides.flatMap((side) =>
      split[side].map((sha256) => ({
        sha256,
        fileName: names.get(sha256) ?? sha256,
        split: side,
        pinned: pins.get(sha256) === side,
      })),
    ),
  };
}

function pinsOf(manifest: DatasetManifest) {
  const pins = new Map<string, string | undefined>();
  for (const image of manifest.images) {
    if (!pins.has(image.sha256)) pins.set(image.sha256, image.split);
  }
  return pins;
}
