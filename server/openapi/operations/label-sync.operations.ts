import { z } from 'zod';
import {
  DatasetVersion,
  DeviceId,
  DeviceSyncState,
  LabelChanges,
  LabelConflict,
  LabelPush,
  LabelPushResult,
  LiveDatasetId,
  LiveDatasetSummary,
  RenameLiveDatasetRequest,
} from '../../contract';
import type { Operation } from '../operation';

const DatasetParam = z.object({
  datasetId: LiveDatasetId.meta({ description: 'the dataset id made on the device' }),
});

export const labelSyncOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/label-sync',
    tag: 'sync',
    summary: 'The live datasets a device can join',
    description:
      'One per dataset whose label edits were pushed. A device that joins one gets it under the ' +
      "same dataset id, so its edits go to the same live dataset and it pulls the others' " +
      '(unlike a sealed dataset version, which becomes a separate local copy).',
    auth: ['user'],
    replies: {
      200: { description: 'the most recently changed first', json: z.array(LiveDatasetSummary) },
    },
  },
  {
    method: 'patch',
    path: '/api/label-sync/:datasetId',
    tag: 'sync',
    summary: 'Rename a live dataset',
    description:
      'A device renamed its copy. Sealed dataset versions keep the name they were sealed under.',
    auth: ['user'],
    params: DatasetParam,
    body: { json: RenameLiveDatasetRequest, description: 'the new name' },
    replies: { 200: { description: 'the renamed dataset', json: LiveDatasetSummary } },
    errors: {
      400: 'the name is empty or over 120 characters',
      404: 'no live dataset with this id',
    },
  },
  {
    method: 'post',
    path: '/api/label-sync/:datasetId/push',
    tag: 'sync',
    summary: "Apply a device's numbered label mutations (docs/sync-protocol.md)",
    description:
      'Applied in one transaction, each effectively once: a seq the server already applied is ' +
      'answered with its stored outcome and changes nothing. An edit made from an older ' +
      "revision than the image's is kept as a conflict; the server keeps its labels.",
    auth: ['user'],
    params: DatasetParam,
    body: { json: LabelPush },
    replies: { 200: { description: "each mutation's outcome", json: LabelPushResult } },
    errors: {
      409: 'a gap in the sequence (details.lastSeq), or class lists that differ (classes_differ)',
    },
  },
  {
    method: 'get',
    path: '/api/label-sync/:datasetId/changes',
    tag: 'sync',
    summary: 'Images whose labels changed after a revision (pull)',
    auth: ['user'],
    params: DatasetParam,
    query: z.object({
      since: z.coerce.number().int().min(0).default(0).meta({ description: 'the last cursor' }),
    }),
    replies: { 200: { description: 'the changes and the next cursor', json: LabelChanges } },
    errors: { 404: 'no live dataset with this id' },
  },
  {
    method: 'get',
    path: '/api/label-sync/:datasetId/conflicts',
    tag: 'sync',
    summary: 'Unresolved label conflicts: the losing edit beside what the server keeps',
    auth: ['user'],
    params: DatasetParam,
    replies: { 200: { description: 'oldest first', json: z.array(LabelConflict) } },
    errors: { 404: 'no live dataset with this id' },
  },
  {
    method: 'get',
    path: '/api/label-sync/:datasetId/devices/:deviceId',
    tag: 'sync',
    summary: "A device's last applied mutation: how a device notices it lost local changes",
    auth: ['user'],
    params: DatasetParam.extend({ deviceId: DeviceId }),
    replies: { 200: { description: 'lastSeq is 0 when none', json: DeviceSyncState } },
  },
  {
    method: 'post',
    path: '/api/label-sync/:datasetId/seal',
    tag: 'sync',
    summary: 'Seal the live dataset as an immutable dataset version',
    auth: ['user'],
    params: DatasetParam,
    replies: { 201: { description: 'the sealed version', json: DatasetVersion } },
    errors: {
      404: 'no live dataset with this id',
      409: 'some images were not uploaded yet (details lists them)',
    },
  },
];
