// An image's labels as one value (boxes, polygons, image-level class): reading them from a stored
// row of any schema version, checking them against the contract before they are stored, and
// comparing them. Pure functions, no database access.
import { Box, Polygon, SplitName } from '$contract';
import type { AnnotationRow, ImageLabels } from './database';
import { DatasetError } from './dataset-errors';
import { plural } from '$lib/text/wording';

export const MAX_SHAPES = 1000;

export function emptyLabels(): ImageLabels {
  return { boxes: [], polygons: [], imageClass: null };
}

export function labelsOf(
  row: Pick<AnnotationRow, 'boxes' | 'polygons' | 'imageClass' | 'split'>,
): ImageLabels {
  return {
    boxes: row.boxes,
    polygons: row.polygons ?? [],
    imageClass: row.imageClass ?? null,
    ...(row.split ? { split: row.split } : {}),
  };
}

/**
 * The row fields for these labels: absent fields where there is nothing, as the contract wants.
 * `split` is always written, so labels without a pin clear it: build labels by spreading the
 * current ones (`{ ...labelsOf(row), boxes }`) to keep a pin.
 */
export function rowFields(
  labels: ImageLabels,
): Pick<AnnotationRow, 'boxes' | 'polygons' | 'imageClass' | 'split'> {
  return {
    boxes: labels.boxes,
    polygons: labels.polygons.length > 0 ? labels.polygons : undefined,
    imageClass: labels.imageClass ?? undefined,
    split: labels.split ?? undefined,
  };
}

export function hasLabels(labels: ImageLabels): boolean {
  return labels.boxes.length > 0 || labels.polygons.length > 0 || labels.imageClass !== null;
}

export function sameLabels(a: ImageLabels, b: ImageLabels): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every class index these labels use. */
export function classesUsed(labels: ImageLabels): number[] {
  const used = [...labels.boxes, ...labels.polygons].map((s) => s.classIndex);
  if (labels.imageClass !== null) used.push(labels.imageClass);
  return used;
}

function invalid(message: string, details?: Record<string, unknown>): DatasetError {
  return new DatasetError('invalid', message, details);
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  const field = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return `${field}${issue?.message ?? 'invalid'}`;
}

/** Checks every label before anything is stored; the first bad one is named in the error. */
export function checkLabels(labels: ImageLabels, classCount: number): ImageLabels {
  const unchanged = 'Nothing was changed.';
  if (labels.boxes.length > MAX_SHAPES) {
    throw invalid(`An image can hold at most ${MAX_SHAPES} boxes; remove some. ${unchanged}`);
  }
  if (labels.polygons.length > MAX_SHAPES) {
    throw invalid(`An image can hold at most ${MAX_SHAPES} polygons; remove some. ${unchanged}`);
  }
  const classCheck = (what: string, classIndex: number, details: Record<string, unknown>) => {
    if (classIndex >= classCount) {
      throw invalid(
        `${what} uses class ${classIndex + 1}, but the dataset has ${plural(classCount, 'class', 'classes')}; ` +
          `pick one of them. ${unchanged}`,
        details,
      );
    }
  };
  const boxes = labels.boxes.map((box, i) => {
    const parsed = Box.safeParse(box);
    if (!parsed.success) {
      throw invalid(
        `Box ${i + 1} was not saved: ${firstIssue(parsed.error)}. Redraw it inside the image; ` +
          'no boxes were changed.',
        { boxIndex: i },
      );
    }
    classCheck(`Box ${i + 1}`, parsed.data.classIndex, { boxIndex: i });
    return parsed.data;
  });
  const polygons = labels.polygons.map((polygon, i) => {
    const parsed = Polygon.safeParse(polygon);
    if (!parsed.success) {
      throw invalid(`Polygon ${i + 1} was not saved: ${firstIssue(parsed.error)}. ${unchanged}`, {
        polygonIndex: i,
      });
    }
    classCheck(`Polygon ${i + 1}`, parsed.data.classIndex, { polygonIndex: i });
    return parsed.data;
  });
  const { imageClass } = labels;
  if (imageClass !== null) {
    if (!Number.isInteger(imageClass) || imageClass < 0) {
      throw invalid(`The image class must be a class of the dataset. ${unchanged}`);
    }
    classCheck('The image', imageClass, {});
  }
  const split = labels.split == null ? undefined : SplitName.safeParse(labels.split);
  if (split && !split.success) {
    throw invalid(`A photo can be pinned to train, val or test only. ${unchanged}`);
  }
  return { boxes, polygons, imageClass, ...(split ? { split: split.data } : {}) };
}

/** The polygon that outlines a box, corners clockwise from the top-left. */
export function boxToPolygon(box: Box): Polygon {
  const { x, y, w, h, classIndex } = box;
  return {
    classIndex,
    points: [
      [x, y],
      [x + w, y],
      [x + w, y + h],
      [x, y + h],
    ],
  };
}

/** The smallest box around a polygon (what detect training uses). Lossy: the outline is lost. */
export function polygonToBox(polygon: Polygon): Box {
  const xs = polygon.points.map((p) => p[0]);
  const ys = polygon.points.map((p) => p[1]);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const x = clamp(Math.min(...xs));
  const y = clamp(Math.min(...ys));
  return {
    classIndex: polygon.classIndex,
    x,
    y,
    w: Math.max(clamp(Math.max(...xs)) - x, 1e-6),
    h: Math.max(clamp(Math.max(...ys)) - y, 1e-6),
  };
}
