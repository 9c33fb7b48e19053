import { WeightsFile } from '../../contract';
import { BINARY, type Operation } from '../operation';

export const weightsOperations: Operation[] = [
  {
    method: 'put',
    path: '/api/weights',
    tag: 'training',
    summary: 'Upload a base .pt to fine-tune from',
    description:
      'Kept only when its SHA-256 is listed in LOUPE_TRUSTED_WEIGHTS: Ultralytics unpickles a ' +
      '.pt, and pickle runs code.',
    auth: ['user'],
    body: { raw: BINARY, description: 'the .pt file' },
    replies: { 201: { description: 'stored', json: WeightsFile } },
    errors: {
      400: 'the body is empty',
      413: 'larger than LOUPE_MAX_BLOB_BYTES',
      422: 'its hash is not on the allowlist (untrusted_weights); nothing was stored',
    },
  },
];
