import {
  type AnnotationTypes,
  CreateJobRequest,
  HYPERPARAMETER_DEFAULTS,
  ModelArchitecture,
  type BaseWeights,
  type Hyperparameters,
  type ModelVersion,
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
  /** 0: no test split. */
  testFraction: number;
  stratify: boolean;
  annotationTypes: AnnotationTypes;
  checkpointEvery: number;
  /** Only the settings the user changed; the rest keep Ultralytics' defaults. */
  hyperparameters: Hyperparameters;
  /** Absent: a new model from the architecture's YAML; else fine-tuning from these weights. */
  baseWeights?: BaseWeights;
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
  testFraction: 0,
  stratify: true,
  annotationTypes: 'both',
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

/** Model versions a job of this task can fine-tune from: the same task only. */
export const baseCandidates = (models: ModelVersion[], task: Task) =>
  models.filter((m) => m.task === task);

/**
 * Starts the draft from an earlier model version (or, with null, from scratch). Fine-tuning keeps
 * the base's architecture, so the draft names it too.
 */
export function startFrom(draft: JobDraft, base: ModelVersion | null): JobDraft {
  const { baseWeights: _, ...rest } = draft;
  if (!base) return rest;
  const architecture = ModelArchitecture.safeParse(base.metadata.architecture);
  return {
    ...rest,
    model: architecture.success ? architecture.data : draft.model,
    baseWeights: { kind: 'model-version', modelVersionId: base.id },
  };
}

/**
 * A new task drops a base model version of another task, which the server would refuse, and
 * takes the task's annotation types (segment learns outlines only).
 */
export function chooseTask(draft: JobDraft, task: Task, models: ModelVersion[]): JobDraft {
  const base = draft.baseWeights;
  const keeps =
    base?.kind !== 'model-version' ||
    baseCandidates(models, task).some((m) => m.id === base.modelVersionId);
  const annotationTypes = task === 'segment' ? 'outlines' : 'both';
  return { ...(keeps ? draft : startFrom(draft, null)), task, annotationTypes };
}
