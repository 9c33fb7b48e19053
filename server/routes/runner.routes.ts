import { Hono } from 'hono';
import { z } from 'zod';
import {
  ArtifactName,
  CompleteJobRequest,
  FailJobRequest,
  HeartbeatRequest,
  LEASE_TOKEN_HEADER,
  LeaseRequest,
  RunnerEventsRequest,
} from '../contract';
import { AppError } from '../http/app-error';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { nodeBody } from '../http/node-body';
import { storedFileResponse } from '../http/stored-file-response';
import { validate } from '../http/validate';
import type { Services } from '../services';

const JobParam = z.object({ jobId: z.string().uuid() });
const ArtifactParam = JobParam.extend({ name: ArtifactName });
const CheckpointQuery = z.object({ epoch: z.coerce.number().int().min(1) });

const leaseTokenOf = (header: string | undefined) => {
  if (!header) {
    throw new AppError(400, 'invalid_request', `the ${LEASE_TOKEN_HEADER} header is missing`);
  }
  return header;
};

/** The gpu-runner protocol (docs/runner-protocol.md). */
export const runnerRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .use(requireRole(tokens, 'runner'))
    .post('/lease', validate('json', LeaseRequest), (c) => {
      const lease = s.jobs.lease(c.req.valid('json').runnerId);
      return lease ? c.json(lease, 200) : c.body(null, 204);
    })
    .post(
      '/jobs/:jobId/heartbeat',
      validate('param', JobParam),
      validate('json', HeartbeatRequest),
      (c) => {
        const { leaseToken, health } = c.req.valid('json');
        return c.json(s.jobs.heartbeat(c.req.valid('param').jobId, leaseToken, health));
      },
    )
    .put(
      '/jobs/:jobId/checkpoint',
      validate('param', JobParam),
      validate('query', CheckpointQuery),
      async (c) => {
        const token = leaseTokenOf(c.req.header(LEASE_TOKEN_HEADER));
        const { jobId } = c.req.valid('param');
        const { epoch } = c.req.valid('query');
        return c.json(await s.jobs.putCheckpoint(jobId, token, epoch, nodeBody(c.req.raw)), 201);
      },
    )
    .get('/jobs/:jobId/checkpoint', validate('param', JobParam), (c) => {
      const token = leaseTokenOf(c.req.header(LEASE_TOKEN_HEADER));
      const checkpoint = s.jobs.openCheckpoint(c.req.valid('param').jobId, token);
      return storedFileResponse(c, checkpoint, {
        mediaType: 'application/octet-stream',
        cacheable: false,
      });
    })
    .post(
      '/jobs/:jobId/events',
      validate('param', JobParam),
      validate('json', RunnerEventsRequest),
      (c) => {
        const { leaseToken, events } = c.req.valid('json');
        return c.json(s.jobs.record(c.req.valid('param').jobId, leaseToken, events));
      },
    )
    .put('/jobs/:jobId/artifacts/:name', validate('param', ArtifactParam), async (c) => {
      const { jobId, name } = c.req.valid('param');
      const token = leaseTokenOf(c.req.header(LEASE_TOKEN_HEADER));
      return c.json(await s.jobs.putArtifact(jobId, token, name, nodeBody(c.req.raw)), 201);
    })
    .post(
      '/jobs/:jobId/complete',
      validate('param', JobParam),
      validate('json', CompleteJobRequest),
      async (c) =>
        c.json(await s.jobs.complete(c.req.valid('param').jobId, c.req.valid('json').leaseToken)),
    )
    .post(
      '/jobs/:jobId/fail',
      validate('param', JobParam),
      validate('json', FailJobRequest),
      (c) => {
        const { leaseToken, error } = c.req.valid('json');
        return c.json(s.jobs.fail(c.req.valid('param').jobId, leaseToken, error));
      },
    );
