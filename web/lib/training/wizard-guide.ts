import type { DatasetManifest, DatasetVersion, PretrainedCatalog } from '$contract';
import { api } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';
import { defaultDraft, type JobDraft } from './job-form';
import { dataGuide, type DataGuide, type SmallDataSettings } from './small-data';

/** The server's pretrained files; null when they cannot be listed (the job starts from YAML). */
export async function loadCatalog(): Promise<PretrainedCatalog | null> {
  try {
    return await unwrap<PretrainedCatalog>(await api.weights.pretrained.$get());
  } catch {
    return null;
  }
}

/** The guide for a dataset version on the server, read from its manifest. */
export async function loadGuide(version: DatasetVersion): Promise<DataGuide> {
  const manifest = await unwrap<DatasetManifest>(
    await api['dataset-versions'][':id'].manifest.$get({ param: { id: version.id } }),
  );
  return dataGuide(manifest.images, version.classes, version.task);
}

/**
 * A small dataset's settings, applied only where the draft still has the defaults: what the
 * user (or a template) chose is kept.
 */
export function applySmallData(draft: JobDraft, small: SmallDataSettings | null): JobDraft {
  if (!small) return draft;
  const defaults = defaultDraft(draft.datasetVersionId);
  if (draft.epochs !== defaults.epochs || draft.imgsz !== defaults.imgsz) return draft;
  const { hyperparameters } = draft;
  return {
    ...draft,
    epochs: small.epochs,
    imgsz: small.imgsz,
    hyperparameters: { ...hyperparameters, patience: hyperparameters.patience ?? small.patience },
  };
}
