import { z } from 'zod';
import {
  MAX_PREDICT_BATCH,
  ModelMetadata,
  ModelVersion,
  PREDICT_IMAGE_TYPES,
  PredictQuery,
  Prediction,
  PredictionBatch,
  RenameModelRequest,
} from '../../contract';
import { BINARY, type Operation } from '../operation';
import { UuidParam } from './params';
import { RANGE_ERROR, storedFile } from './stored-file';

export const modelOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/models',
    tag: 'models',
    summary: 'List model versions',
    auth: ['user'],
    replies: { 200: { description: 'every version', json: z.array(ModelVersion) } },
  },
  {
    method: 'get',
    path: '/api/models/:id',
    tag: 'models',
    summary: 'One model version',
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'the version', json: ModelVersion } },
    errors: { 404: 'no such model version' },
  },
  {
    method: 'get',
    path: '/api/models/:id/metadata.json',
    tag: 'models',
    summary: 'What the browser needs to run the model (task, classes, input and output shapes)',
    auth: ['user'],
    params: UuidParam,
    replies: { 200: { description: 'the metadata', json: ModelMetadata } },
    errors: { 404: 'no such model version' },
  },
  {
    method: 'get',
    path: '/api/models/:id/model.onnx',
    tag: 'models',
    summary: 'Download the ONNX model',
    auth: ['user'],
    params: UuidParam,
    ...storedFile('the ONNX file', BINARY),
    errors: { 404: 'no such model version', ...RANGE_ERROR },
  },
  {
    method: 'patch',
    path: '/api/models/:id',
    tag: 'models',
    summary: 'Name or rename a model version',
    description: 'null clears the name; lists then tell versions apart by date, dataset and score.',
    auth: ['user'],
    params: UuidParam,
    body: { json: RenameModelRequest, description: 'the new name' },
    replies: { 200: { description: 'the renamed version', json: ModelVersion } },
    errors: { 400: 'the name is empty or over 80 characters', 404: 'no such model version' },
  },
  {
    method: 'delete',
    path: '/api/models/:id',
    tag: 'models',
    summary: 'Forget a model version',
    description: 'Its files stay in the blob store, where other versions may share them.',
    auth: ['user'],
    params: UuidParam,
    replies: { 204: { description: 'forgotten' } },
    errors: { 404: 'no such model version', 409: 'a channel points at it (model_in_use)' },
  },
  {
    method: 'post',
    path: '/api/models/:id/predict',
    tag: 'models',
    summary: 'Run the model on the server, for clients that cannot run it',
    description:
      'One image as the body (its content type one of the image types), answered with one ' +
      `prediction; or up to ${MAX_PREDICT_BATCH} as multipart/form-data \`image\` parts, answered ` +
      "with one prediction per part, in order. Labels come in the labeling studio's shapes.",
    auth: ['user'],
    params: UuidParam,
    query: PredictQuery,
    body: {
      raw: [...PREDICT_IMAGE_TYPES],
      multipartFiles: 'image',
      description: 'the image, or several as `image` parts',
    },
    replies: {
      200: {
        description: 'a Prediction for one image; a PredictionBatch for multipart',
        json: z.union([Prediction, PredictionBatch]),
      },
    },
    errors: {
      400: 'the body is empty, not parseable multipart, or an image is corrupt',
      404: 'no such model version',
      413: 'an image, its pixels or the batch are over the limits',
      415: 'not a JPEG, PNG or WebP image',
      500: 'the model failed on this image',
      503: 'prediction cannot run on this server (the health route says why)',
    },
  },
];
