import { z } from 'zod';
import { RunnerReply, Sha256 } from '../contract';

// Answers the services build inline and the contract does not name. They are documented here,
// and replies.spec.ts parses real answers with them, so a service that changes its answer fails
// a test instead of leaving the document wrong.

export const BlobPutReply = z.object({
  sha256: Sha256,
  /** False when the server already had the image: nothing was stored twice. */
  created: z.boolean(),
});

export const StoredFile = z.object({ sha256: Sha256, bytes: z.number().int().nonnegative() });

export const JobArtifact = StoredFile.extend({ name: z.string() });

export const HeartbeatReply = RunnerReply.extend({ leaseSeconds: z.number().int().positive() });

export const RunnerEventsReply = RunnerReply.extend({ accepted: z.number().int().nonnegative() });

export const CompleteJobReply = z.object({ modelVersionId: z.string() });

export const EmptyReply = z.object({});
