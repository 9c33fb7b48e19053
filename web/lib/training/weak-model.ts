import type { BaseWeights, Task } from '$contract';
import { SMALL_DATASET_PHOTOS } from './small-data';

/** Below this mAP50 (or top-1 accuracy above chance) a model is said to find (almost) nothing. */
export const WEAK_MAP50 = 0.05;

export type TrainedWith = {
  task: Task;
  epochs: number;
  imgsz: number;
  /** Undefined: built from the YAML (random weights). */
  baseWeights?: BaseWeights | undefined;
  /** Photos in the dataset version; null when not known. */
  photos: number | null;
  /** Classes the model tells apart; null when not known (then classify is not judged). */
  classes: number | null;
};

export type WeakModelAdvice = { summary: string; causes: string[]; tries: string[] };

const score = (task: Task, metrics: Record<string, number>) =>
  task === 'classify'
    ? metrics['metrics/accuracy_top1']
    : task === 'segment'
      ? (metrics['metrics/mAP50(M)'] ?? metrics['metrics/mAP50(B)'])
      : metrics['metrics/mAP50(B)'];

/**
 * Why a model whose validation shows it finds (almost) nothing may be so, from how it was
 * trained, and what to try; null when it finds something (or nothing was measured).
 */
export function weakModelAdvice(
  metrics: Record<string, number>,
  w: TrainedWith,
): WeakModelAdvice | null {
  const value = score(w.task, metrics);
  if (value === undefined || (w.task === 'classify' && !w.classes)) return null;
  const chance = w.task === 'classify' ? 1 / (w.classes ?? 1) + 0.05 : WEAK_MAP50;
  if (value >= chance) return null;
  const causes: string[] = [];
  const tries: string[] = [];
  if (!w.baseWeights) {
    causes.push(
      'It started from random weights (the architecture YAML): such a model must learn edges and shapes from your photos alone, which takes hundreds of photos and many epochs.',
    );
    tries.push(
      "Start from Ultralytics' pretrained weights (Start from → Ultralytics pretrained). On a server without internet, put the official file (yolo11n.pt, ...) in its data/weights folder or upload it on the Models page.",
    );
  }
  if (w.epochs < 30) {
    causes.push(`${w.epochs} epochs is too short to learn, even from pretrained weights.`);
    tries.push('Train for 60 epochs or more with early stopping (patience 15).');
  }
  if (w.photos !== null && w.photos < SMALL_DATASET_PHOTOS) {
    causes.push(
      `${w.photos} photos is few, and the validation share of them is smaller still: a score on a handful of photos moves a lot.`,
    );
    tries.push(
      'Label more photos, with the objects at the sizes, angles and light the camera will see.',
    );
  }
  if (w.imgsz < 320 && w.task !== 'classify') {
    causes.push(`At ${w.imgsz} px, small objects shrink to a few pixels.`);
    tries.push('Train at 640 px (or the photos’ own size, if smaller).');
  }
  tries.push('Check the labels: every object boxed, in the right class, on every labeled photo.');
  const what =
    w.task === 'classify' ? `top-1 accuracy ${value.toFixed(3)}` : `mAP50 ${value.toFixed(3)}`;
  return {
    summary: `This model finds almost nothing (${what}): at the default confidence 0.25 it will draw few or no ${w.task === 'classify' ? 'right classes' : 'boxes'}.`,
    causes,
    tries,
  };
}
