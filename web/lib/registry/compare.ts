import type { ModelVersion, Task } from '$contract';
import { formatDuration } from './duration';
import { fmtMB, fmtMetric, fmtMs } from './format';
import { higherIsBetter, metricLabel, orderMetricKeys } from './metric-names';
import type { ClassResult, ValidationReport } from './validation-report';

/** The most versions one comparison shows: more columns do not fit a phone. */
export const MAX_COMPARED = 6;

/** Model ids from `?ids=a,b,c`, each once, in the order given. */
export function parseCompareIds(param: string | null): string[] {
  const ids = (param ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

export type CompareRow = {
  key: string;
  label: string;
  values: (number | undefined)[];
  /** Columns holding the best value of the row (none when fewer than two differ). */
  best: number[];
};

/** Marks the best column(s) of a row; lower is better where `lowerBetter`. */
export function bestColumns(values: readonly (number | undefined)[], lowerBetter: boolean) {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const best = lowerBetter ? Math.min(...present) : Math.max(...present);
  // A lone value, or a row where all agree, has nothing to point out.
  if (present.length < 2 || present.every((v) => v === best)) return [];
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

/** One row per metric any of the models reports, metrics first. */
export function metricRows(models: readonly ModelVersion[]): CompareRow[] {
  return metricRowsOf(models.map((m) => m.metadata.metrics));
}

/** One row per metric any of the records holds, one column per record (versions, or splits). */
export function metricRowsOf(
  records: readonly Readonly<Record<string, number | null | undefined>>[],
): CompareRow[] {
  const keys = orderMetricKeys(records.flatMap((r) => Object.keys(r)));
  return keys.map((key) => {
    const values = records.map((r) => r[key] ?? undefined);
    return {
      key,
      label: metricLabel(key),
      values,
      best: bestColumns(values, !higherIsBetter(key)),
    };
  });
}

/** Per task, the per-class number that says most: mAP50-95, the masks' for segment, recall
 * (the class's own top-1 accuracy) for classify. */
export function classValue(task: Task, row: ClassResult): number | undefined {
  const value =
    task === 'classify'
      ? row.recall
      : task === 'segment'
        ? row.mask?.['mAP50-95']
        : row['mAP50-95'];
  return value ?? undefined;
}

export const classValueLabel = (task: Task) =>
  task === 'classify'
    ? 'recall (top-1 of the class)'
    : task === 'segment'
      ? 'mask mAP50-95'
      : 'mAP50-95';

/** Class by model: every class any report covers, in the order they first appear. */
export function perClassRows(
  task: Task,
  reports: readonly (ValidationReport | null)[],
): CompareRow[] {
  const names = [...new Set(reports.flatMap((r) => r?.perClass.map((c) => c.name) ?? []))];
  return names.map((name) => {
    const values = reports.map((r) => {
      const row = r?.perClass.find((c) => c.name === name);
      return row ? classValue(task, row) : undefined;
    });
    return { key: `class:${name}`, label: name, values, best: bestColumns(values, false) };
  });
}

/** What a version costs to run and to make, one row each; smaller is better for all but epochs. */
export type SpecInput = {
  model: ModelVersion;
  inferenceMs: number | undefined;
  trainingMs: number | undefined;
};

const SPECS = [
  { key: 'onnx-bytes', label: 'ONNX size', value: (s: SpecInput) => s.model.onnxBytes, fmt: fmtMB },
  {
    key: 'speed',
    label: 'ONNX CPU ms / image',
    value: (s: SpecInput) => s.inferenceMs,
    fmt: fmtMs,
  },
  {
    key: 'training',
    label: 'training time',
    value: (s: SpecInput) => s.trainingMs,
    fmt: formatDuration,
  },
  { key: 'epochs', label: 'epochs', value: (s: SpecInput) => s.model.metadata.epochs, fmt: String },
  {
    key: 'imgsz',
    label: 'image size',
    value: (s: SpecInput) => s.model.metadata.imgsz,
    fmt: String,
  },
] as const;

export function specRows(inputs: readonly SpecInput[]): CompareRow[] {
  return SPECS.map((spec) => {
    const values = inputs.map(spec.value);
    const lowerBetter = spec.key === 'onnx-bytes' || spec.key === 'speed';
    return {
      key: spec.key,
      label: spec.label,
      values,
      best: lowerBetter ? bestColumns(values, true) : [],
    };
  });
}

/** How a cell of a metrics, per-class or spec table reads. */
export function formatCell(value: number | undefined, rowKey: string): string {
  const spec = SPECS.find((s) => s.key === rowKey);
  if (!spec) return fmtMetric(value);
  return value === undefined ? '–' : (spec.fmt as (n: number) => string)(value);
}
