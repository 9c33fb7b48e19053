import {
  Checkpoint,
  CompleteJobRequest,
  FailJobRequest,
  HeartbeatRequest,
  Lease,
  LeaseRequest,
  RunnerEventsRequest,
} from '../../contract';
import { z } from 'zod';
import { BINARY, type Operation } from '../operation';
import {
  CompleteJobReply,
  EmptyReply,
  HeartbeatReply,
  RunnerEventsReply,
  StoredFile,
} from '../replies';
import { JobIdParam, LeaseTokenHeader, RunnerArtifactParam } from './params';
import { RANGE_ERROR, storedFile } from './stored-file';

/** Every write with a token that no longer holds the lease is refused the same way. */
const LEASE_ERRORS = {
  404: 'no such job',
  409: 'the lease was lost (lease_lost): stop working on this job',
};

export const runnerOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/runner/lease',
    tag: 'runner',
    summary: 'Lease the oldest queued job',
    auth: ['runner'],
    body: { json: LeaseRequest },
    replies: {
      200: { description: 'a job to train, and the lease token for its writes', json: Lease },
      204: { description: 'nothing is queued' },
    },
  },
  {
    method: 'post',
    path: '/api/runner/jobs/:jobId/heartbeat',
    tag: 'runner',
    summary: "Renew the lease and report the machine's health",
    auth: ['runner'],
    params: JobIdParam,
    body: { json: HeartbeatRequest },
    replies: { 200: { description: 'renewed', json: HeartbeatReply } },
    errors: LEASE_ERRORS,
  },
  {
    method: 'put',
    path: '/api/runner/jobs/:jobId/checkpoint',
    tag: 'runner',
    summary: 'Upload a resumable checkpoint (last.pt)',
    auth: ['runner'],
    params: JobIdParam,
    query: z.object({ epoch: z.coerce.number().int().min(1) }),
    headers: LeaseTokenHeader,
    body: { raw: BINARY, description: "Ultralytics' last.pt" },
    replies: { 201: { description: 'stored; the newest epoch is kept', json: Checkpoint } },
    errors: { ...LEASE_ERRORS, 413: 'larger than LOUPE_MAX_BLOB_BYTES' },
  },
  {
    method: 'get',
    path: '/api/runner/jobs/:jobId/checkpoint',
    tag: 'runner',
    summary: "Download the lease's checkpoint to resume from",
    auth: ['runner'],
    params: JobIdParam,
    ...storedFile('the checkpoint file', BINARY, LeaseTokenHeader),
    errors: { ...LEASE_ERRORS, 404: 'no such job, or it has no checkpoint', ...RANGE_ERROR },
  },
  {
    method: 'post',
    path: '/api/runner/jobs/:jobId/events',
    tag: 'runner',
    summary: 'Report status, progress, epoch metrics and notices',
    description: 'Idempotent: an epoch posted twice is stored once.',
    auth: ['runner'],
    params: JobIdParam,
    body: { json: RunnerEventsRequest },
    replies: { 200: { description: 'recorded', json: RunnerEventsReply } },
    errors: LEASE_ERRORS,
  },
  {
    method: 'put',
    path: '/api/runner/jobs/:jobId/artifacts/:name',
    tag: 'runner',
    summary: 'Upload one output file (model.onnx, metadata.json, best.pt, plots)',
    auth: ['runner'],
    params: RunnerArtifactParam,
    headers: LeaseTokenHeader,
    body: { raw: BINARY, description: 'the file' },
    replies: { 201: { description: 'stored', json: StoredFile } },
    errors: { ...LEASE_ERRORS, 413: 'too large, or the job already keeps 40 files' },
  },
  {
    method: 'post',
    path: '/api/runner/jobs/:jobId/complete',
    tag: 'runner',
    summary: 'Finish the job and register its model version',
    auth: ['runner'],
    params: JobIdParam,
    body: { json: CompleteJobRequest },
    replies: { 200: { description: 'the new model version', json: CompleteJobReply } },
    errors: {
      ...LEASE_ERRORS,
      409: 'the lease was lost, the job was cancelled, or model.onnx/metadata.json are missing',
    },
  },
  {
    method: 'post',
    path: '/api/runner/jobs/:jobId/fail',
    tag: 'runner',
    summary: 'End the job as failed (or cancelled, when the user asked)',
    auth: ['runner'],
    params: JobIdParam,
    body: { json: FailJobRequest },
    replies: { 200: { description: 'recorded', json: EmptyReply } },
    errors: LEASE_ERRORS,
  },
];
