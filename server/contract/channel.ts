import { z } from 'zod';
import { JobEvent } from './job';
import { ModelVersion } from './model';

/**
 * A named pointer clients subscribe to: "<model line>/<stage>", e.g. `card-border/production`.
 * Lower case so a name typed on a phone keyboard cannot make a near-duplicate channel.
 */
export const ChannelName = z
  .string()
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*\/[a-z0-9][a-z0-9_-]*$/, {
    message:
      'a channel name is "<model line>/<stage>", e.g. card-border/production: lower-case letters, digits, - and _',
  });
export type ChannelName = z.infer<typeof ChannelName>;

/** One change of a channel's pointer; ids increase across all channels. */
export const ChannelMove = z.object({
  id: z.number().int().positive(),
  channel: ChannelName,
  modelId: z.string().uuid(),
  /** What the channel pointed at before; null for its first promotion. */
  previousModelId: z.string().uuid().nullable(),
  action: z.enum(['promote', 'rollback']),
  at: z.string(),
});
export type ChannelMove = z.infer<typeof ChannelMove>;

export const Channel = z.object({
  name: ChannelName,
  /** The version clients on this channel should run. */
  model: ModelVersion,
  movedAt: z.string(),
  /** Newest first, at most the last 20 moves. */
  history: z.array(ChannelMove),
});
export type Channel = z.infer<typeof Channel>;

export const PromoteRequest = z.object({ channel: ChannelName, modelId: z.string().uuid() });
export type PromoteRequest = z.infer<typeof PromoteRequest>;

/** Points the channel back at the version it pointed at before its latest move. */
export const RollbackRequest = z.object({ channel: ChannelName });
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/** What the one live stream per browser carries (`GET /api/events`). */
export const LiveEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), jobId: z.string(), event: JobEvent }),
  z.object({ type: z.literal('channel'), move: ChannelMove }),
]);
export type LiveEvent = z.infer<typeof LiveEvent>;
