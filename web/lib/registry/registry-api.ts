import type {
  DatasetVersion,
  EpochMetrics,
  Job,
  JobPage,
  JobSplitReport,
  ModelVersion,
} from '$contract';
import { api } from '$lib/api/client';
import { ApiRequestError, unwrap } from '$lib/api/api-error';
import { parseValidationReport, type ValidationReport } from './validation-report';

// What the dashboard, registry, model and compare pages read from the server, in one place.

export type Artifact = { name: string; sha256: string; bytes: number };

export const fetchModels = async () => unwrap<ModelVersion[]>(await api.models.$get());
export const fetchModel = async (id: string) =>
  unwrap<ModelVersion>(await api.models[':id'].$get({ param: { id } }));
/** A page of jobs, newest first (older than `before`), with the server's counts over all. */
export const fetchJobPage = async (limit = 100, before?: string) =>
  unwrap<JobPage>(
    await api.jobs.$get({
      query: { limit: String(limit), ...(before === undefined ? {} : { before }) },
    }),
  );
/** Every job, a page at a time (the registry links each model to the job that trained it). */
export async function fetchJobs(): Promise<Job[]> {
  const jobs: Job[] = [];
  let before: string | undefined;
  do {
    const page = await fetchJobPage(500, before);
    jobs.push(...page.jobs);
    before = page.next ?? undefined;
  } while (before !== undefined);
  return jobs;
}
export const fetchJob = async (id: string) =>
  unwrap<Job>(await api.jobs[':id'].$get({ param: { id } }));
export const fetchEpochs = async (jobId: string) =>
  unwrap<EpochMetrics[]>(await api.jobs[':id'].epochs.$get({ param: { id: jobId } }));
export const fetchDatasets = async () =>
  unwrap<DatasetVersion[]>(await api['dataset-versions'].$get());
export const fetchDataset = async (id: string) =>
  unwrap<DatasetVersion>(await api['dataset-versions'][':id'].$get({ param: { id } }));
export const fetchArtifacts = async (jobId: string) =>
  unwrap<Artifact[]>(await api.jobs[':id'].artifacts.$get({ param: { id: jobId } }));

/** validation.json of a job; null when the runner wrote none (older runners, failed jobs). */
export async function fetchValidation(jobId: string): Promise<ValidationReport | null> {
  try {
    const res = await api.jobs[':id'].artifacts[':name'].$get({
      param: { id: jobId, name: 'validation.json' },
    });
    return parseValidationReport(await unwrap<unknown>(res));
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 404) return null;
    throw e;
  }
}

/** validation.json of many models, a few requests at a time, so a long registry loads evenly. */
export async function fetchValidations(models: readonly ModelVersion[], parallel = 4) {
  const reports = new Map<string, ValidationReport | null>();
  const queue = [...models];
  const worker = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      // One report missing or broken leaves the others' numbers on the page.
      reports.set(m.id, await fetchValidation(m.jobId).catch(() => null));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return reports;
}

/** Which photos a job trained, validated and tested on; null when the server kept none. */
export async function fetchSplit(jobId: string): Promise<JobSplitReport | null> {
  try {
    return await unwrap<JobSplitReport>(await api.jobs[':id'].split.$get({ param: { id: jobId } }));
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 404) return null;
    throw e;
  }
}
