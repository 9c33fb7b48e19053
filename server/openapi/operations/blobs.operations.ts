import { SyncPlan, SyncPlanRequest } from '../../contract';
import { BINARY, type Operation } from '../operation';
import { BlobPutReply } from '../replies';
import { Sha256Param } from './params';
import { RANGE_ERROR, storedFile } from './stored-file';

export const blobOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/blobs/missing',
    tag: 'sync',
    summary: 'Which of these images the server lacks',
    description: 'The first step of a sync: upload only the images this answer lists.',
    auth: ['user'],
    body: { json: SyncPlanRequest },
    replies: { 200: { description: 'the hashes the server does not have', json: SyncPlan } },
  },
  {
    method: 'put',
    path: '/api/blobs/:sha256',
    tag: 'sync',
    summary: 'Upload one image under its SHA-256',
    description: 'The body is the image file (JPEG, PNG or WebP), streamed; its hash must match.',
    auth: ['user'],
    params: Sha256Param,
    body: { raw: BINARY, description: 'the image file' },
    replies: {
      200: { description: 'the server already had it; nothing was stored', json: BlobPutReply },
      201: { description: 'stored', json: BlobPutReply },
    },
    errors: {
      400: 'the body is empty, or its bytes do not hash to the SHA-256 in the path',
      413: 'larger than LOUPE_MAX_BLOB_BYTES, or its header declares more than LOUPE_MAX_IMAGE_PIXELS',
      415: 'not a JPEG, PNG or WebP image',
    },
  },
  {
    method: 'get',
    path: '/api/blobs/:sha256',
    tag: 'sync',
    summary: 'Download an image or weights file by SHA-256',
    auth: ['user', 'runner'],
    params: Sha256Param,
    ...storedFile('the bytes', ['image/jpeg', 'image/png', 'image/webp', ...BINARY]),
    errors: { 404: 'no blob with this hash', ...RANGE_ERROR },
  },
];
