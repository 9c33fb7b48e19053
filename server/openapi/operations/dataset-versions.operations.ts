import { z } from 'zod';
import {
  BundleImportReport,
  DatasetDiff,
  DatasetManifest,
  DatasetVersion,
  DeriveRequest,
  MergeRequest,
} from '../../contract';
import type { Operation } from '../operation';
import { DatasetIdParam, DiffParams } from './params';

export const datasetVersionOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/dataset-versions',
    tag: 'sync',
    summary: 'List sealed dataset versions',
    auth: ['user'],
    replies: { 200: { description: 'every version, newest first', json: z.array(DatasetVersion) } },
  },
  {
    method: 'post',
    path: '/api/dataset-versions',
    tag: 'sync',
    summary: 'Seal a dataset version from a manifest',
    description:
      'The last step of a sync. The version id is the SHA-256 of the canonical manifest, so ' +
      'sealing the same labels twice gives the same version.',
    auth: ['user'],
    body: { json: DatasetManifest },
    replies: { 201: { description: 'the sealed version', json: DatasetVersion } },
    errors: {
      400: 'the same image is listed twice',
      409: 'some images were not uploaded yet (details lists them)',
    },
  },
  {
    method: 'get',
    path: '/api/dataset-versions/:id',
    tag: 'sync',
    summary: 'One dataset version',
    auth: ['user', 'runner'],
    params: DatasetIdParam,
    replies: { 200: { description: 'the version', json: DatasetVersion } },
    errors: { 404: 'no such dataset version' },
  },
  {
    method: 'get',
    path: '/api/dataset-versions/:id/manifest',
    tag: 'sync',
    summary: "A dataset version's manifest (images by hash, and their labels)",
    auth: ['user', 'runner'],
    params: DatasetIdParam,
    replies: { 200: { description: 'the canonical manifest', json: DatasetManifest } },
    errors: { 404: 'no such dataset version' },
  },
  {
    method: 'post',
    path: '/api/dataset-versions/import',
    tag: 'sync',
    summary: 'Import a dataset bundle (.zip of manifest.json and images)',
    description:
      'The offline transfer format, as GET …/bundle.zip writes it. A bundle with anything unsafe ' +
      '(zip slip, a zip bomb, a bad manifest, an image that does not match its hash) is refused ' +
      'whole and nothing is kept.',
    auth: ['user'],
    body: { raw: ['application/zip'], description: 'the bundle, streamed' },
    replies: {
      201: { description: 'the sealed version and what was read', json: BundleImportReport },
    },
    errors: { 400: 'the bundle is empty, malformed or unsafe', 413: 'the bundle is too large' },
  },
  {
    method: 'post',
    path: '/api/dataset-versions/merge',
    tag: 'sync',
    summary: 'Seal one version from several, mapping or dropping classes',
    auth: ['user'],
    body: { json: MergeRequest },
    replies: { 201: { description: 'the merged version', json: DatasetVersion } },
    errors: { 404: 'a source version does not exist' },
  },
  {
    method: 'post',
    path: '/api/dataset-versions/derive',
    tag: 'sync',
    summary: 'Seal a version that keeps only the top-k or well-represented classes',
    auth: ['user'],
    body: { json: DeriveRequest },
    replies: { 201: { description: 'the derived version', json: DatasetVersion } },
    errors: { 404: 'no such dataset version' },
  },
  {
    method: 'get',
    path: '/api/dataset-versions/:id/bundle.zip',
    tag: 'sync',
    summary: 'Download a version as a bundle (.zip) for offline transfer',
    auth: ['user'],
    params: DatasetIdParam,
    replies: {
      200: { description: 'the bundle, streamed as it is zipped', raw: ['application/zip'] },
    },
    errors: { 404: 'no such dataset version' },
  },
  {
    method: 'get',
    path: '/api/dataset-versions/:id/diff/:other',
    tag: 'sync',
    summary: 'How two versions differ: images added, removed, relabeled; per-class counts',
    auth: ['user'],
    params: DiffParams,
    replies: { 200: { description: 'from :id to :other', json: DatasetDiff } },
    errors: { 404: 'either version does not exist' },
  },
];
