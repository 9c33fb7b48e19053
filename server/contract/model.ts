import { z } from 'zod';
import { Sha256, Task } from './common';

/**
 * Travels as metadata.json beside model.onnx, so the browser never guesses how to feed the model
 * or read its output.
 */
export const ModelMetadata = z.object({
  task: Task,
  classNames: z.array(z.string()).min(1),
  imgsz: z.number().int().positive(),
  stride: z.number().int().positive(),
  inputName: z.string(),
  inputShape: z.array(z.number().int()),
  outputNames: z.array(z.string()).min(1),
  outputShapes: z.array(z.array(z.number().int())),
  architecture: z.string(),
  ultralyticsVersion: z.string(),
  epochs: z.number().int(),
  datasetVersionId: Sha256,
  jobId: z.string(),
  metrics: z.record(z.string(), z.number()),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

/** A name a person gives a model version ("cards, 150 epochs"), shown instead of its id. */
export const ModelName = z.string().trim().min(1, 'a name needs at least one letter').max(80);

export const ModelVersion = z.object({
  id: z.string(),
  /** Given at training or on the version's page; null: none given (shown by date and score). */
  name: z.string().nullable(),
  jobId: z.string(),
  task: Task,
  classNames: z.array(z.string()),
  onnxSha256: Sha256,
  onnxBytes: z.number().int(),
  metadata: ModelMetadata,
  createdAt: z.string(),
});
export type ModelVersion = z.infer<typeof ModelVersion>;

/** PATCH /api/models/:id: a new name, or null to clear it. */
export const RenameModelRequest = z.object({ name: ModelName.nullable() });
export type RenameModelRequest = z.infer<typeof RenameModelRequest>;
