import {
  CreateJobRequest,
  HYPERPARAMETER_DEFAULTS,
  type Hyperparameters,
  type ModelArchitecture,
  type Task,
} from '$contract';

/** Field errors keyed by the request's path (e.g. "hyperparameters.lr0"), for inline messages. */
export type FieldErrors = Record<string, string>;

export type JobDraft = {
  datasetVersionId: string;
  task: Task;
  model: ModelArchitecture;
  epochs: number;
  imgsz: number;
  batch: number | 'auto';
  seed: number;
  valFraction: number;
  checkpointEvery: number;
  /** Only the settings the user changed; the rest keep Ultralytics' defaults. */
  hyperparameters: Hyperparameters;
};

export const defaultDraft = (datasetVersionId = ''): JobDraft => ({
  datasetVersionId,
  task: 'detect',
  model: 'yolo11n',
  epochs: 50,
  imgsz: 640,
  batch: 16,
  seed: 0,
  valFraction: 0.2,
  checkpointEvery: 5,
  hyperparameters: {},
});

/** Validates a draft with the same schema the server uses; errors are worded per field. */
export function validateDraft(draft: JobDraft): { ok: true } | { ok: false; errors: FieldErrors } {
  const parsed = CreateJobRequest.safeParse(draft);
  if (parsed.success) return { ok: true };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) errors[issue.path.join('.')] ??= issue.message;
  return { ok: false, errors };
}

/** The hyperparameters a user changed from Ultralytics' defaults, for the review step. */
export function changedHyperparameters(h: Hyperparameters) {
  return Object.entries(h).filter(
    ([key, value]) =>
      value !== undefined && value !== HYPERPARAMETER_DEFAULTS[key as keyof Hyperparameters],
  ) as [keyof Hyperparameters, number | string][];
}
