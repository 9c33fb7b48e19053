// Model suggestions for one image: a model's detections mapped onto the dataset's classes (by
// name), and accepting them, one or all above a confidence, into the image's labels. Pure
// functions; the page stores the result as one undoable change.
import type { Task } from '$contract';
import type { Prediction } from '$lib/components/box-editor/types';
import { boxToPolygon } from '$lib/db/image-labels';
import type { ImageLabels } from '$lib/db/database';

/** What the inference worker answers, as far as suggestions need it (pixels, top-left corner). */
export interface ModelDetection {
  className: string;
  confidence: number;
  x: number;
  y: number;
  w: number;
  h: number;
  polygon?: { points: [number, number][] };
}

export interface Suggestion extends Prediction {
  /** The model's outline, normalised, when it is a segment model. */
  points?: [number, number][];
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

/**
 * The detections whose class the dataset has (matched by name), in normalised coordinates,
 * best first; `unknown` names the model classes the dataset lacks.
 */
export function toSuggestions(
  detections: readonly ModelDetection[],
  width: number,
  height: number,
  classes: readonly string[],
): { suggestions: Suggestion[]; unknown: string[] } {
  const unknown = new Set<string>();
  const suggestions: Suggestion[] = [];
  for (const d of detections) {
    const classIndex = classes.indexOf(d.className);
    if (classIndex < 0) {
      unknown.add(d.className);
      continue;
    }
    const x = clamp(d.x / width);
    const y = clamp(d.y / height);
    const w = clamp((d.x + d.w) / width) - x;
    const h = clamp((d.y + d.h) / height) - y;
    if (w <= 0 || h <= 0) continue;
    const points = d.polygon && d.polygon.points.length >= 3 ? d.polygon.points : undefined;
    suggestions.push({
      classIndex,
      confidence: d.confidence,
      x,
      y,
      w,
      h,
      ...(points ? { points } : {}),
    });
  }
  suggestions.sort((a, b) => b.confidence - a.confidence);
  return { suggestions, unknown: [...unknown] };
}

/** The labels with these suggestions added as the task's kind of label. */
export function accept(
  labels: ImageLabels,
  chosen: readonly Suggestion[],
  task: Task,
): ImageLabels {
  if (task === 'classify') {
    const best = chosen[0];
    return best ? { ...labels, imageClass: best.classIndex } : labels;
  }
  const box = ({ classIndex, x, y, w, h }: Suggestion) => ({ classIndex, x, y, w, h });
  if (task === 'segment') {
    const polygons = chosen.map((s) =>
      s.points ? { classIndex: s.classIndex, points: s.points } : boxToPolygon(box(s)),
    );
    return { ...labels, polygons: [...labels.polygons, ...polygons] };
  }
  return { ...labels, boxes: [...labels.boxes, ...chosen.map(box)] };
}

/** Splits suggestions at a confidence: those at or above it are accepted, the rest stay. */
export function splitAt(
  suggestions: readonly Suggestion[],
  threshold: number,
): { accepted: Suggestion[]; remaining: Suggestion[] } {
  return {
    accepted: suggestions.filter((s) => s.confidence >= threshold),
    remaining: suggestions.filter((s) => s.confidence < threshold),
  };
}
