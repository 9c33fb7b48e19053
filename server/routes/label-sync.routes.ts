import { Hono } from 'hono';
import { z } from 'zod';
import { DeviceId, LabelPush, LiveDatasetId, RenameLiveDatasetRequest } from '../contract';
import { requireRole, type AuthEnv, type Tokens } from '../http/auth';
import { validate } from '../http/validate';
import type { Services } from '../services';

const DatasetParam = z.object({ datasetId: LiveDatasetId });
const DeviceParam = DatasetParam.extend({ deviceId: DeviceId });
const SinceQuery = z.object({ since: z.coerce.number().int().min(0).default(0) });

// Label changes as a mutation log (docs/sync-protocol.md).
export const labelSyncRoutes = (s: Services, tokens: Tokens) =>
  new Hono<AuthEnv>()
    .get('/', requireRole(tokens, 'user'), (c) => c.json(s.labelSync.list()))
    .post(
      '/:datasetId/push',
      requireRole(tokens, 'user'),
      validate('param', DatasetParam),
      validate('json', LabelPush),
      (c) => c.json(s.labelSync.push(c.req.valid('param').datasetId, c.req.valid('json'))),
    )
    .patch(
      '/:datasetId',
      requireRole(tokens, 'user'),
      validate('param', DatasetParam),
      validate('json', RenameLiveDatasetRequest),
      (c) => c.json(s.labelSync.rename(c.req.valid('param').datasetId, c.req.valid('json').name)),
    )
    .get(
      '/:datasetId/changes',
      requireRole(tokens, 'user'),
      validate('param', DatasetParam),
      validate('query', SinceQuery),
      (c) =>
        c.json(s.labelSync.changes(c.req.valid('param').datasetId, c.req.valid('query').since)),
    )
    .get(
      '/:datasetId/conflicts',
      requireRole(tokens, 'user'),
      validate('param', DatasetParam),
      (c) => c.json(s.labelSync.conflicts(c.req.valid('param').datasetId)),
    )
    .get(
      '/:datasetId/devices/:deviceId',
      requireRole(tokens, 'user'),
      validate('param', DeviceParam),
      (c) =>
        c.json(s.labelSync.device(c.req.valid('param').datasetId, c.req.valid('param').deviceId)),
    )
    .post('/:datasetId/seal', requireRole(tokens, 'user'), validate('param', DatasetParam), (c) =>
      c.json(s.labelSync.seal(c.req.valid('param').datasetId), 201),
    );
