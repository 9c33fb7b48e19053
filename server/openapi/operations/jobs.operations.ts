import { z } from 'zod';
import {
  CreateJobRequest,
  EpochMetrics,
  Job,
  JobEvent,
  JobListQuery,
  JobLogQuery,
  JobSplitReport,
  SplitPreview,
  JobPage,
  StoredJobEvent,
  TrainingTimeEstimate,
  TrainingTimeQuery,
} from '../../contract';
import { BINARY, type Operation } from '../operation';
import { JobArtifact } from '../replies';
import { ArtifactParam, UuidParam } from './params';
import { RANGE_ERROR, storedFile } from './stored-file';

const NO_JOB = { 404: 'no such job' };

export const jobOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/jobs',
    tag: 'training',
    summary: 'List training jobs, a page at a time',
    description:
      'Newest first. `total` and `byStatus` count every job; pass `next` as `before` for ' +
      'older ones.',
    auth: ['user'],
    query: JobListQuery,
    replies: { 200: { description: 'a page of jobs', json: JobPage } },
    errors: { 400: 'the cursor is not one this server gave' },
  },
  {
    method: 'post',
    path: '/api/jobs',
    tag: 'training',
    summary: 'Queue a training job',
    description:
      'Fields left out take the defaults shown; `hyperparameters` left out keep ' +
      "Ultralytics' own.",
    auth: ['user'],
    body: { json: CreateJobRequest },
    replies: { 201: { description: 'the queued job', json: Job } },
    errors: {
      404: 'no such dataset version',
      422: 'the dataset cannot train this task, or the base weights cannot be used',
    },
  },
  {
    method: 'get',
    path: '/api/jobs/training-time',
    tag: 'training',
    summary: 'How long a job would train on the runner, from the jobs that finished there',
    description:
      "Scaled from the finished job of the same model and task on the newest job's runner " +
      'nearest in photos x image size²; `known: false` with the reason when there is none.',
    auth: ['user'],
    query: TrainingTimeQuery,
    replies: {
      200: { description: 'the estimate, or why there is none', json: TrainingTimeEstimate },
    },
  },
  {
    method: 'post',
    path: '/api/jobs/split-preview',
    tag: 'training',
    summary: 'How many photos a job with these settings would train, validate and test on',
    description:
      "The same split `POST /api/jobs` fixes: by each photo's hash and the seed, pins kept.",
    auth: ['user'],
    body: { json: CreateJobRequest },
    replies: { 200: { description: 'counts per split, or the problem', json: SplitPreview } },
    errors: { 404: 'no such dataset version' },
  },
  {
    method: 'get',
    path: '/api/jobs/:id/split',
    tag: 'training',
    summary: 'Which photos a job trained, validated and tested on',
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'every photo with its split', json: JobSplitReport } },
    errors: { 404: 'no such job, or a run a script reported (Loupe did not split its data)' },
  },
  {
    method: 'get',
    path: '/api/jobs/:id',
    tag: 'training',
    summary: 'One job: status, progress, runner health',
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'the job', json: Job } },
    errors: NO_JOB,
  },
  {
    method: 'post',
    path: '/api/jobs/:id/cancel',
    tag: 'training',
    summary: 'Cancel a job',
    description: 'A queued job ends at once; a running one within a batch or a heartbeat.',
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'the job after the request', json: Job } },
    errors: { ...NO_JOB, 409: 'the job has already ended' },
  },
  {
    method: 'get',
    path: '/api/jobs/:id/artifacts',
    tag: 'training',
    summary: "List the files a job's runner uploaded",
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'name, hash and size of each', json: z.array(JobArtifact) } },
    errors: NO_JOB,
  },
  {
    method: 'get',
    path: '/api/jobs/:id/artifacts/:name',
    tag: 'training',
    summary: 'Download one artifact (model, plots, validation results)',
    auth: ['user'],
    params: ArtifactParam,
    ...storedFile('the file', ['application/json', 'image/png', ...BINARY]),
    errors: { 404: 'no such job or artifact', ...RANGE_ERROR },
  },
  {
    method: 'get',
    path: '/api/jobs/:id/epochs',
    tag: 'training',
    summary: "Every finished epoch's metrics, keyed as Ultralytics names them",
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'oldest first', json: z.array(EpochMetrics) } },
    errors: NO_JOB,
  },
  {
    method: 'get',
    path: '/api/jobs/:id/log',
    tag: 'training',
    summary: "A job's stored events (notices, statuses, ...), oldest first",
    description:
      'What the job said before the reader was listening, such as the notice "out of memory, ' +
      'retrying with batch 8". Each `id` is the one the live stream sends the same event with, ' +
      'so a page that reads this and listens live shows each event once.',
    auth: ['user'],
    params: UuidParam,
    query: JobLogQuery,
    replies: { 200: { description: 'the events, by id', json: z.array(StoredJobEvent) } },
    errors: { ...NO_JOB, 400: 'an unknown event type' },
  },
  {
    method: 'get',
    path: '/api/jobs/:id/events',
    tag: 'training',
    summary: "A job's live events (server-sent events)",
    description:
      'Replays what the client missed, then streams live; ends after the final status. Each ' +
      'event has an increasing id: reconnect with Last-Event-ID (or ?after=) to get exactly ' +
      'what was missed.',
    auth: ['user'],
    params: UuidParam,
    query: z.object({
      after: z.coerce.number().int().min(0).optional().meta({
        description: 'send only events with a larger id (for clients that cannot set headers)',
      }),
    }),
    headers: z.object({ 'last-event-id': z.string().optional() }),
    replies: { 200: { description: 'the event stream', events: JobEvent } },
    errors: NO_JOB,
  },
];
