// How a model version is named in lists (Scan, the Models list, pre-labeling, the wizard): its
// name when it has one, otherwise what tells it apart from its siblings, which share their
// architecture, task and classes: when it was made, how long it trained and how well it scored.
import type { Task } from '$contract';
import { primaryMetric, primaryValue } from '$lib/registry/metric-names';
import { plural } from '$lib/text/wording';

export interface TitledModel {
  id: string;
  name?: string | null;
  createdAt: string;
  metadata: {
    architecture: string;
    task: Task;
    epochs?: number;
    metrics?: Record<string, number>;
  };
}

/** "2026-12-07 14:03" in UTC, or '' for a date that does not parse. */
export function madeAt(iso: string): string {
  const made = new Date(iso);
  return Number.isNaN(made.getTime()) ? '' : made.toISOString().slice(0, 16).replace('T', ' ');
}

/** The version's score as "mAP50-95 0.017", or '' when it has none. */
export function scoreOf(model: TitledModel): string {
  const { task, metrics = {} } = model.metadata;
  const value = primaryValue(task, metrics);
  return value === undefined ? '' : `${primaryMetric(task).label} ${value.toFixed(3)}`;
}

export function modelTitle(model: TitledModel): string {
  const when = madeAt(model.createdAt);
  const { architecture, epochs } = model.metadata;
  if (model.name) return `${model.name} (${[architecture, when].filter(Boolean).join(' · ')})`;
  return [
    architecture,
    when,
    epochs ? plural(epochs, 'epoch') : '',
    scoreOf(model),
    model.id.slice(0, 8),
  ]
    .filter(Boolean)
    .join(' · ');
}
