import type { AnnotationTypes, DatasetManifest, Task } from '../contract';

/**
 * The classes of the labels each image gives a task to learn from. Detect learns from boxes and
 * from polygons (as their bounds); segment from polygons and from boxes (as four-corner
 * outlines); classify from the image-level class. `types` narrows detect and segment to boxes
 * or outlines. The gpu-runner converts the same way.
 */
export function labelClassesPerImage(
  manifest: DatasetManifest,
  task: Task,
  types: AnnotationTypes = 'both',
): number[][] {
  return manifest.images.map((image) => {
    if (task === 'classify') return image.imageClass === undefined ? [] : [image.imageClass];
    const boxes = types === 'outlines' ? [] : image.boxes;
    const outlines = types === 'boxes' ? [] : (image.polygons ?? []);
    return [...boxes, ...outlines].map((label) => label.classIndex);
  });
}

const WHAT_TO_LABEL: Record<Task, string> = {
  classify: 'give images a class',
  detect: 'draw boxes (or outlines)',
  segment: 'draw outlines (or boxes)',
};

/** Why this dataset cannot train this task, in words a user can act on; null when it can. */
export function trainingProblem(
  manifest: DatasetManifest,
  task: Task,
  types: AnnotationTypes = 'both',
) {
  const perImage = labelClassesPerImage(manifest, task, types);
  const labeled = perImage.filter((classes) => classes.length > 0).length;
  if (labeled === 0) {
    return {
      code: 'empty_dataset',
      message: `dataset "${manifest.name}" has no labeled images for ${task}${types === 'both' || task === 'classify' ? '' : ` from ${types} only`} (${manifest.images.length} image(s))`,
      hint: `${WHAT_TO_LABEL[task][0]?.toUpperCase()}${WHAT_TO_LABEL[task].slice(1)}, sync, and start training again.`,
    };
  }
  const unused = manifest.classes.filter(
    (_, c) => !perImage.some((classes) => classes.includes(c)),
  );
  if (unused.length > 0) {
    return {
      code: 'class_without_examples',
      message: `class(es) ${unused.map((n) => `"${n}"`).join(', ')} have no labeled example`,
      hint: 'Label at least one image of each class (or remove the class), sync, and train again.',
    };
  }
  return null;
}
