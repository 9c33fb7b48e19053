import { z } from 'zod';
import { Sha256, Task } from './common';
import { Box, ClassNames, Polygon } from './dataset';
import { SplitName } from './split';

// Label changes as a log of mutations (docs/sync-protocol.md): per-device sequence numbers,
// applied by the server effectively once; a losing edit is kept as a conflict.

/** A random id a device makes once; its mutations are numbered 1, 2, 3… per dataset. */
export const DeviceId = z
  .string()
  .regex(/^[A-Za-z0-9-]{8,64}$/, 'a device id is 8 to 64 letters, digits or dashes');

/** A local dataset's id (a UUID made on the device that created it). */
export const LiveDatasetId = z
  .string()
  .regex(/^[A-Za-z0-9-]{8,64}$/, 'a dataset id is 8 to 64 letters, digits or dashes');

/** Everything an image is labeled with: the unit one mutation replaces. */
export const LiveLabels = z.object({
  boxes: z.array(Box).max(1000, 'an image can hold at most 1000 boxes'),
  polygons: z.array(Polygon).max(1000, 'an image can hold at most 1000 polygons'),
  imageClass: z.number().int().min(0).nullable(),
  /** The split the photo is pinned to (contract/split.ts); absent: none. */
  split: SplitName.optional(),
});
export type LiveLabels = z.infer<typeof LiveLabels>;

/** What the server needs to list an image it has not seen before. */
export const LiveImageInfo = z.object({
  fileName: z.string().min(1).max(255),
  width: z.number().int().positive().max(20_000),
  height: z.number().int().positive().max(20_000),
});
export type LiveImageInfo = z.infer<typeof LiveImageInfo>;

const ClassName = z.string().trim().min(1).max(64);

/**
 * A change to the class list, by class names as the device saw them. The server translates the
 * names through the class changes other devices made since (docs/sync-protocol.md, Classes).
 */
export const ClassOp = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add'), name: ClassName }),
  z.object({ type: z.literal('rename'), from: ClassName, to: ClassName }),
  /** Every label of `from` becomes `into`; `from` leaves the list. */
  z.object({ type: z.literal('merge'), from: ClassName, into: ClassName }),
  /** `moveTo` null: the class's labels are deleted; otherwise they move to that class. */
  z.object({ type: z.literal('delete'), name: ClassName, moveTo: ClassName.nullable() }),
]);
export type ClassOp = z.infer<typeof ClassOp>;

/** The server's class-list version the device's classes descended from when it recorded this. */
const ClassVersion = z.number().int().min(0).optional();

export const LabelMutation = z.object({
  kind: z.literal('labels').optional(),
  seq: z.number().int().min(1),
  sha256: Sha256,
  /** The image's server revision these labels were edited from; 0: the server's was never seen. */
  baseRevision: z.number().int().min(0),
  /** The image's whole label set after the edit. */
  labels: LiveLabels,
  image: LiveImageInfo,
  /** The class list the labels' indices point into, when it is not the push's `classes`. */
  classes: z.array(ClassName).max(1000).optional(),
  classVersion: ClassVersion,
  /** Conflicts this edit settles (the user's choice in the conflict panel). */
  resolves: z.array(z.number().int().min(1)).max(100).optional(),
});
export type LabelMutation = z.infer<typeof LabelMutation>;

/** The image leaves the live dataset (its blob stays: blobs are shared by hash). */
export const RemoveMutation = z.object({
  kind: z.literal('remove'),
  seq: z.number().int().min(1),
  sha256: Sha256,
  baseRevision: z.number().int().min(0),
  resolves: z.array(z.number().int().min(1)).max(100).optional(),
});
export type RemoveMutation = z.infer<typeof RemoveMutation>;

export const ClassMutation = z.object({
  kind: z.literal('class'),
  seq: z.number().int().min(1),
  op: ClassOp,
  classVersion: ClassVersion,
});
export type ClassMutation = z.infer<typeof ClassMutation>;

/** One entry of a device's log; label edits may omit `kind` (clients from before it existed). */
export const SyncMutation = z.union([RemoveMutation, ClassMutation, LabelMutation]);
export type SyncMutation = z.infer<typeof SyncMutation>;

export const isLabelMutation = (m: SyncMutation): m is LabelMutation =>
  m.kind === undefined || m.kind === 'labels';

const usedClasses = (l: LiveLabels) => [
  ...l.boxes.map((b) => b.classIndex),
  ...l.polygons.map((p) => p.classIndex),
  ...(l.imageClass === null ? [] : [l.imageClass]),
];

/** A dataset's name, as a manifest and a push carry it. */
export const DatasetName = z.string().trim().min(1).max(120);

/** PATCH /api/label-sync/:datasetId: the live dataset's new name (a device renamed it). */
export const RenameLiveDatasetRequest = z.object({ name: DatasetName });
export type RenameLiveDatasetRequest = z.infer<typeof RenameLiveDatasetRequest>;

export const LabelPush = z
  .object({
    deviceId: DeviceId,
    name: DatasetName,
    task: Task,
    /** The class list the first mutation starts from (a new live dataset starts with it). */
    classes: ClassNames,
    mutations: z.array(SyncMutation).min(1).max(1000),
  })
  .superRefine((p, ctx) => {
    p.mutations.forEach((m, i) => {
      if (!isLabelMutation(m)) return;
      const classes = m.classes ?? p.classes;
      const unknown = usedClasses(m.labels).find((c) => c >= classes.length);
      if (unknown === undefined) return;
      ctx.addIssue({
        code: 'custom',
        path: ['mutations', i, 'labels'],
        message: `class ${unknown} does not exist (the dataset has ${classes.length})`,
      });
    });
  });
export type LabelPush = z.infer<typeof LabelPush>;

export const MutationOutcome = z.enum(['applied', 'unchanged', 'conflict']);
export type MutationOutcome = z.infer<typeof MutationOutcome>;

export const MutationResult = z.object({
  seq: z.number().int(),
  kind: z.enum(['labels', 'remove', 'class']),
  /** Absent for class changes. */
  sha256: Sha256.optional(),
  outcome: MutationOutcome,
  /** The conflict that keeps this edit, when it lost. */
  conflictId: z.number().int().optional(),
  /** The image's labels and revision on the server now: what the device should show. */
  labels: LiveLabels,
  revision: z.number().int(),
  /** The image is no longer in the live dataset. */
  removed: z.boolean().optional(),
});
export type MutationResult = z.infer<typeof MutationResult>;

export const LabelPushResult = z.object({
  /** The device's last applied seq in this dataset. */
  lastSeq: z.number().int(),
  /** The dataset's revision after the push. */
  revision: z.number().int(),
  /** The server's class list after the push; its labels' indices point into it. */
  classes: z.array(z.string()),
  classVersion: z.number().int(),
  results: z.array(MutationResult),
});
export type LabelPushResult = z.infer<typeof LabelPushResult>;

export const LiveImage = LiveImageInfo.extend({
  sha256: Sha256,
  labels: LiveLabels,
  revision: z.number().int(),
});
export type LiveImage = z.infer<typeof LiveImage>;

export const LabelChanges = z.object({
  datasetId: LiveDatasetId,
  name: z.string(),
  task: Task,
  classes: z.array(z.string()),
  /** The dataset's revision: the cursor for the next pull. */
  revision: z.number().int(),
  /** How many class changes the list has taken (a device's classVersion). */
  classVersion: z.number().int(),
  /** Images changed after the asked-for revision, each with its current labels. */
  images: z.array(LiveImage),
  /** Images removed from the live dataset after the asked-for revision. */
  removed: z.array(Sha256),
  /** Unresolved conflicts in the dataset. */
  conflicts: z.number().int(),
});
export type LabelChanges = z.infer<typeof LabelChanges>;

export const LabelConflict = z.object({
  id: z.number().int(),
  sha256: Sha256,
  fileName: z.string(),
  /** The device whose edit lost, and that edit. */
  deviceId: DeviceId,
  seq: z.number().int(),
  labels: LiveLabels,
  baseRevision: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** What the server keeps now. */
  currentLabels: LiveLabels,
  currentRevision: z.number().int(),
  /** The image was removed from the live dataset: the losing edit was made to it. */
  currentRemoved: z.boolean(),
  /** The server's class list both label sets index into. */
  classes: z.array(z.string()),
  createdAt: z.string(),
});
export type LabelConflict = z.infer<typeof LabelConflict>;

export const DeviceSyncState = z.object({
  datasetId: LiveDatasetId,
  deviceId: DeviceId,
  /** The device's last mutation the server applied in this dataset; 0 when none. */
  lastSeq: z.number().int(),
  /** Whether the server has a live dataset with this id at all. */
  datasetKnown: z.boolean(),
});
export type DeviceSyncState = z.infer<typeof DeviceSyncState>;

/** A live dataset on the server: one a second device can join and keep in sync. */
export const LiveDatasetSummary = z.object({
  datasetId: LiveDatasetId,
  name: z.string(),
  task: Task,
  classes: z.array(z.string()),
  imageCount: z.number().int(),
  /** The dataset's revision: how many label changes it has taken. */
  revision: z.number().int(),
  /** When a device last pushed to it. */
  updatedAt: z.string(),
});
export type LiveDatasetSummary = z.infer<typeof LiveDatasetSummary>;
