import type { Operation } from '../operation';
import { blobOperations } from './blobs.operations';
import { channelOperations } from './channels.operations';
import { datasetVersionOperations } from './dataset-versions.operations';
import { docsOperations } from './docs.operations';
import { eventOperations } from './events.operations';
import { healthOperations } from './health.operations';
import { jobOperations } from './jobs.operations';
import { labelSyncOperations } from './label-sync.operations';
import { modelOperations } from './models.operations';
import { pairingOperations } from './pairing.operations';
import { runnerOperations } from './runner.operations';
import { runOperations } from './runs.operations';
import { uploadOperations } from './uploads.operations';
import { pretrainedOperations, weightsOperations } from './weights.operations';

/** Every route under /api; document.spec.ts fails when this and the app's routes differ. */
export const API_OPERATIONS: Operation[] = [
  ...healthOperations,
  ...docsOperations,
  ...blobOperations,
  ...channelOperations,
  ...datasetVersionOperations,
  ...eventOperations,
  ...jobOperations,
  ...labelSyncOperations,
  ...modelOperations,
  ...pairingOperations,
  ...runnerOperations,
  ...runOperations,
  ...uploadOperations,
  ...weightsOperations,
  ...pretrainedOperations,
];
