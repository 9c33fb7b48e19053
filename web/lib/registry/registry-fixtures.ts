import type { DatasetVersion, ModelVersion, QueueJob, Task } from '$contract';

// Plain records shaped like the API's answers, for the specs beside this file.

const SHA = 'a'.repeat(64);

export function fixtureJob(id: string, over: Partial<QueueJob> = {}): QueueJob {
  return {
    id,
    origin: 'queue',
    status: 'completed',
    config: {
      datasetVersionId: SHA,
      task: 'detect',
      model: 'yolo11n',
      epochs: 2,
      imgsz: 64,
      batch: 8,
      seed: 0,
      valFraction: 0.2,
      testFraction: 0,
      stratify: true,
      annotationTypes: 'both',
      checkpointEvery: 5,
      hyperparameters: {},
    },
    progress: null,
    health: null,
    checkpointEpoch: null,
    error: null,
    modelVersionId: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:05:00.000Z',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:05:00.000Z',
    ...over,
  };
}

export function fixtureModel(
  id: string,
  task: Task,
  metrics: Record<string, number>,
  over: Partial<ModelVersion> = {},
): ModelVersion {
  return {
    id,
    name: null,
    jobId: `job-${id}`,
    task,
    classNames: ['card', 'back'],
    onnxSha256: SHA,
    onnxBytes: 10_000_000,
    createdAt: '2025-01-01T10:05:00.000Z',
    metadata: {
      task,
      classNames: ['card', 'back'],
      imgsz: 64,
      stride: 32,
      inputName: 'images',
      inputShape: [1, 3, 64, 64],
      outputNames: ['output0'],
      outputShapes: [[1, 6, 84]],
      architecture: 'yolo11n',
      ultralyticsVersion: '8.4.0',
      epochs: 2,
      datasetVersionId: SHA,
      jobId: `job-${id}`,
      metrics,
    },
    ...over,
  };
}

export const fixtureDataset = (name: string): DatasetVersion => ({
  id: SHA,
  name,
  classes: ['card', 'back'],
  task: 'detect',
  imageCount: 10,
  boxCount: 12,
  polygonCount: 0,
  classifiedCount: 0,
  createdAt: '2025-01-01T09:00:00.000Z',
});
