import { z } from 'zod';

/** `GET /api/health` (no token): cheap enough to poll. */
export const Health = z.object({
  ok: z.literal(true),
  /** The app's version (package.json). */
  version: z.string(),
  uptimeSeconds: z.number(),
  /** Whether `POST /api/models/:id/predict` can run (onnxruntime-node and the image decoder load). */
  predict: z.object({ available: z.boolean(), reason: z.string().optional() }),
});
export type Health = z.infer<typeof Health>;
