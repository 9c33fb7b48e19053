import type { Task } from '$contract';

/** One number a user ranks models by, keyed exactly as Ultralytics names it. */
export type MetricName = { key: string; label: string };

/**
 * What "how good is it" means per task. Ultralytics reports detect boxes as "(B)", segment masks
 * as "(M)" (a segment model also has box numbers, but its masks are what it is for), and classify
 * only top-1/top-5 accuracy.
 */
const BY_TASK: Record<Task, { primary: MetricName; secondary: MetricName }> = {
  detect: {
    primary: { key: 'metrics/mAP50-95(B)', label: 'mAP50-95' },
    secondary: { key: 'metrics/mAP50(B)', label: 'mAP50' },
  },
  segment: {
    primary: { key: 'metrics/mAP50-95(M)', label: 'mask mAP50-95' },
    secondary: { key: 'metrics/mAP50(M)', label: 'mask mAP50' },
  },
  classify: {
    primary: { key: 'metrics/accuracy_top1', label: 'top-1' },
    secondary: { key: 'metrics/accuracy_top5', label: 'top-5' },
  },
};

export const primaryMetric = (task: Task): MetricName => BY_TASK[task].primary;
export const secondaryMetric = (task: Task): MetricName => BY_TASK[task].secondary;

/** The headline number of a metrics record for its task; undefined when it was not reported. */
export const primaryValue = (task: Task, metrics: Record<string, number>) =>
  metrics[primaryMetric(task).key];
export const secondaryValue = (task: Task, metrics: Record<string, number>) =>
  metrics[secondaryMetric(task).key];

/** Readable names for every metric Ultralytics writes per epoch; unknown keys stay as they are. */
const LABELS: Record<string, string> = {
  'metrics/precision(B)': 'precision',
  'metrics/recall(B)': 'recall',
  'metrics/mAP50(B)': 'mAP50',
  'metrics/mAP50-95(B)': 'mAP50-95',
  'metrics/precision(M)': 'mask precision',
  'metrics/recall(M)': 'mask recall',
  'metrics/mAP50(M)': 'mask mAP50',
  'metrics/mAP50-95(M)': 'mask mAP50-95',
  'metrics/accuracy_top1': 'top-1 accuracy',
  'metrics/accuracy_top5': 'top-5 accuracy',
  fitness: 'fitness',
};

export const metricLabel = (key: string) => LABELS[key] ?? key;

/** Losses and learning rates go down or follow a schedule; everything else is better higher. */
export const higherIsBetter = (key: string) => !/loss|^lr\//.test(key);

/** Metrics first (in Ultralytics' order), then losses, then the rest, so tables read the same. */
export function orderMetricKeys(keys: Iterable<string>): string[] {
  const known = Object.keys(LABELS);
  const rank = (k: string) => {
    const i = known.indexOf(k);
    if (i >= 0) return i;
    if (k.startsWith('metrics/')) return known.length;
    if (k.startsWith('val/')) return known.length + 1;
    if (k.startsWith('train/')) return known.length + 2;
    return known.length + 3;
  };
  return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
