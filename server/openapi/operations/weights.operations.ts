import { z } from 'zod';
import { PretrainedCatalog, PretrainedFile, PretrainedName, WeightsFile } from '../../contract';
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

const PretrainedNameParam = z.object({ name: PretrainedName });

export const pretrainedOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/weights/pretrained',
    tag: 'training',
    summary: "Ultralytics' official pretrained files this server holds",
    description:
      "The .pt files in the server's weights folder (LOUPE_DATA_DIR/weights) with an official " +
      'name (yolo11n.pt, yolov8s-seg.pt, ...), hashed; the folder is looked at again on each call.',
    auth: ['user'],
    replies: {
      200: { description: 'the files, the folder, and files not used', json: PretrainedCatalog },
    },
  },
  {
    method: 'put',
    path: '/api/weights/pretrained/:name',
    tag: 'training',
    summary: 'Upload an official pretrained file by its name',
    description:
      'Stored in the weights folder under that name. The runner opens it with its restricted ' +
      'loader and checks it holds the family, size and task the name says.',
    auth: ['user'],
    params: PretrainedNameParam,
    body: { raw: BINARY, description: 'the .pt file' },
    replies: { 201: { description: 'stored', json: PretrainedFile } },
    errors: {
      413: 'larger than LOUPE_MAX_BLOB_BYTES',
      422: 'its SHA-256 differs from the pin in LOUPE_PRETRAINED_SHA256; nothing was stored',
    },
  },
];
