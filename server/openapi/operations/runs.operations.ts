import {
  CreateExternalRunRequest,
  ExternalJob,
  ExternalRunEventsRequest,
  ExternalRunReply,
  FinishExternalRunRequest,
} from '../../contract';
import type { Operation } from '../operation';
import { UuidParam } from './params';

const NOT_OPEN = {
  404: 'no such run',
  409: 'the id is a queued job, not a run, or the run has already ended',
};

export const runOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/runs',
    tag: 'training',
    summary: 'Register a training run started by hand',
    description:
      'For a plain Ultralytics script (loupe_runner.report_run). The run is then read, streamed ' +
      'and cancelled through /api/jobs like any job.',
    auth: ['user'],
    body: { json: CreateExternalRunRequest },
    replies: { 201: { description: 'the run, as a job', json: ExternalJob } },
  },
  {
    method: 'post',
    path: '/api/runs/:id/events',
    tag: 'training',
    summary: "Report a run's progress, epoch metrics and notices",
    auth: ['user'],
    params: UuidParam,
    body: { json: ExternalRunEventsRequest },
    replies: {
      200: {
        description: 'recorded; cancelRequested: the user cancelled it',
        json: ExternalRunReply,
      },
    },
    errors: NOT_OPEN,
  },
  {
    method: 'post',
    path: '/api/runs/:id/finish',
    tag: 'training',
    summary: 'End a run as completed (with its final metrics) or failed',
    description: 'Repeating the same end is harmless; a run the user cancelled stays cancelled.',
    auth: ['user'],
    params: UuidParam,
    body: { json: FinishExternalRunRequest },
    replies: { 200: { description: 'the run after the request', json: ExternalJob } },
    errors: NOT_OPEN,
  },
];
