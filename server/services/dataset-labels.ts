import type { DatasetManifest, ManifestImage } from '../contract';

/** The class of every label an image carries: each box, each polygon, its image class. */
export function labelClasses(image: ManifestImage): number[] {
  return [
    ...image.boxes.map((b) => b.classIndex),
    ...(image.polygons ?? []).map((p) => p.classIndex),
    ...(image.imageClass !== undefined ? [image.imageClass] : []),
  ];
}

/** Labels per class index over a whole manifest. */
export function countByClass(m: DatasetManifest) {
  const counts = new Array<number>(m.classes.length).fill(0);
  for (const image of m.images)
    for (const c of labelClasses(image)) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

/** An image with its labels moved to new class indices; `map` answers null to drop a label. */
export function relabelImage(image: ManifestImage, map: (classIndex: number) => number | null) {
  const boxes = image.boxes.flatMap((b) => {
    const classIndex = map(b.classIndex);
    return classIndex === null ? [] : [{ ...b, classIndex }];
  });
  const polygons = (image.polygons ?? []).flatMap((p) => {
    const classIndex = map(p.classIndex);
    return classIndex === null ? [] : [{ ...p, classIndex }];
  });
  const imageClass = image.imageClass === undefined ? null : map(image.imageClass);
  const result: ManifestImage = { ...image, boxes, polygons };
  if (polygons.length === 0) delete result.polygons;
  if (imageClass === null) delete result.imageClass;
  else result.imageClass = imageClass;
  return result;
}

/** Keeps or drops the images left with no label at all. */
export const filterUnlabeled = (images: ManifestImage[], unlabeled: 'keep' | 'drop') =>
  unlabeled === 'keep' ? images : images.filter((i) => labelClasses(i).length > 0);
