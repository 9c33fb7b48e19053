import type { Task } from '$contract';

/** Under this many photos a dataset is small: it needs a pretrained start and early stopping. */
export const SMALL_DATASET_PHOTOS = 200;
/** A class with fewer labeled photos than this is unlikely to be learnt (or measured). */
export const FEW_EXAMPLES = 10;

/** What the guide reads of a photo: its size and its labels' classes (local or a manifest's). */
export type GuideImage = {
  width: number;
  height: number;
  boxes: readonly { classIndex: number }[];
  polygons?: readonly { classIndex: number }[] | undefined;
  imageClass?: number | null | undefined;
};

export type ClassCount = { name: string; photos: number; labels: number };

export type DataGuide = {
  photos: number;
  /** Photos with a label the task learns from. */
  labeledPhotos: number;
  classes: ClassCount[];
  /** Names of the classes with fewer than FEW_EXAMPLES labeled photos. */
  fewExamples: string[];
  /** The median of the photos' longer sides, in pixels; null with no photo. */
  medianLongSide: number | null;
};

/** The labels `task` learns from in one photo, as class indexes (one per label). */
function labelsOf(image: GuideImage, task: Task): number[] {
  if (task === 'classify') return image.imageClass == null ? [] : [image.imageClass];
  const outlines = (image.polygons ?? []).map((p) => p.classIndex);
  if (task === 'segment') return outlines;
  return [...image.boxes.map((b) => b.classIndex), ...outlines];
}

export function dataGuide(images: readonly GuideImage[], classes: readonly string[], task: Task) {
  const counts = classes.map((name) => ({ name, photos: 0, labels: 0 }));
  let labeledPhotos = 0;
  for (const image of images) {
    const labels = labelsOf(image, task);
    if (labels.length) labeledPhotos += 1;
    for (const index of labels) if (counts[index]) counts[index].labels += 1;
    for (const index of new Set(labels)) if (counts[index]) counts[index].photos += 1;
  }
  const sides = images.map((i) => Math.max(i.width, i.height)).sort((a, b) => a - b);
  const guide: DataGuide = {
    photos: images.length,
    labeledPhotos,
    classes: counts,
    fewExamples: counts.filter((c) => c.photos < FEW_EXAMPLES).map((c) => c.name),
    medianLongSide: sides.length ? sides[Math.floor(sides.length / 2)]! : null,
  };
  return guide;
}

export type SmallDataSettings = { epochs: number; patience: number; imgsz: number; why: string };

/**
 * Settings that let a small dataset learn: enough epochs to converge from a pretrained start,
 * stopped early once validation stops improving, at an image size near the photos' own (a
 * larger one only upsamples; a smaller one loses small objects). Null: not a small dataset.
 */
export function smallDataSettings(guide: DataGuide): SmallDataSettings | null {
  if (guide.photos === 0 || guide.photos >= SMALL_DATASET_PHOTOS) return null;
  const side = guide.medianLongSide ?? 640;
  const imgsz = Math.min(640, Math.max(160, Math.ceil(side / 32) * 32));
  return {
    epochs: 60,
    patience: 15,
    imgsz,
    why:
      `${guide.photos} photos is a small dataset, so: 60 epochs, stopped early when validation ` +
      `has not improved for 15 (few photos need many passes, and stop when they stop helping), ` +
      `and image size ${imgsz} px (near the photos' own ${side} px).`,
  };
}
