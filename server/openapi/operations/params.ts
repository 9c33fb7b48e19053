import { z } from 'zod';
import { ArtifactName, LEASE_TOKEN_HEADER, Sha256 } from '../../contract';

// Path, query and header schemas as the routes declare them. The routes keep theirs private, so
// these are copies; the parameters' names are checked against the routes' paths by the drift
// test, and the validator checks every path template has its parameters.

export const Sha256Param = z.object({ sha256: Sha256 });
export const DatasetIdParam = z.object({ id: Sha256.meta({ description: 'dataset version id' }) });
export const DiffParams = z.object({ id: Sha256, other: Sha256 });
export const UuidParam = z.object({ id: z.uuid() });
export const ArtifactParam = UuidParam.extend({ name: ArtifactName });
export const JobIdParam = z.object({ jobId: z.uuid() });
export const RunnerArtifactParam = JobIdParam.extend({ name: ArtifactName });
export const LeaseTokenHeader = z.object({
  [LEASE_TOKEN_HEADER]: z.string().meta({ description: 'the leaseToken of the current lease' }),
});

/** A channel name is "<line>/<stage>": two path segments. */
export const ChannelParam = z.object({
  line: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  stage: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
});
