import { z } from 'zod';
import { Sha256, Task } from './common';
import { SplitName } from './split';

/**
 * How far past an image edge a label may reach, in image sizes. A user's label that crosses the
 * edge is kept as given: Ultralytics trains on it within its own tolerance, and the runner (and
 * the YOLO import) change only what Ultralytics would refuse. Beyond a whole image past the
 * edge a number is no normalised coordinate at all.
 */
export const LABEL_REACH = 1;

/**
 * An axis-aligned box in normalised image coordinates: (x, y) is the top-left corner and every
 * value is a fraction of the image's width or height, so labels survive any resize. A box may
 * cross the image edge (imported labels are kept as given); drawing keeps it inside.
 */
export const Box = z
  .object({
    classIndex: z.number().int().min(0),
    x: z.number().min(-LABEL_REACH),
    y: z.number().min(-LABEL_REACH),
    w: z.number().positive(),
    h: z.number().positive(),
  })
  .refine((b) => b.x + b.w <= 1 + LABEL_REACH && b.y + b.h <= 1 + LABEL_REACH, {
    message: 'box reaches more than an image past the edge (x + w and y + h must be at most 2)',
  });
export type Box = z.infer<typeof Box>;

/** One normalised coordinate of a polygon vertex: as far past the edge as a box may reach. */
const Coordinate = z
  .number()
  .min(
    -LABEL_REACH,
    'a polygon vertex lies more than an image outside it (coordinates are -1 to 2)',
  )
  .max(
    1 + LABEL_REACH,
    'a polygon vertex lies more than an image outside it (coordinates are -1 to 2)',
  );

/**
 * A polygon outline (segment task) in normalised image coordinates, vertices in drawing order,
 * not closed (the last vertex joins the first). The same shape as a YOLO segment label line.
 */
export const Polygon = z.object({
  classIndex: z.number().int().min(0),
  points: z
    .array(z.tuple([Coordinate, Coordinate]))
    .min(3, 'a polygon needs at least 3 vertices')
    .max(1000, 'a polygon can have at most 1000 vertices'),
});
export type Polygon = z.infer<typeof Polygon>;

/**
 * Optional fields (added after version 1 of the manifest) are left out, never sent empty, when
 * they hold nothing: absent `polygons` means none, absent `imageClass` means no image-level
 * class, absent `task` means 'detect'. So a detect-only manifest is byte-for-byte what it was
 * before they existed, and so is its version id.
 */
export const ManifestImage = z.object({
  sha256: Sha256,
  fileName: z.string().min(1).max(255),
  width: z.number().int().positive().max(20_000),
  height: z.number().int().positive().max(20_000),
  boxes: z.array(Box).max(1000),
  /** Segment labels. Absent means none. */
  polygons: z.array(Polygon).max(1000, 'an image can hold at most 1000 polygons').optional(),
  /** The image-level class (classify task). Absent means the image has none. */
  imageClass: z.number().int().min(0).optional(),
  /** The split the photo is pinned to (a fixed validation set). Absent: chosen by its hash. */
  split: SplitName.optional(),
});
export type ManifestImage = z.infer<typeof ManifestImage>;

export const ClassNames = z
  .array(z.string().trim().min(1).max(64))
  .min(1, 'a dataset needs at least one class')
  .max(1000)
  .refine((names) => new Set(names).size === names.length, {
    message: 'class names must be unique',
  });

/** What a client sends to seal a dataset version: the images by hash, and their labels. */
export const DatasetManifest = z
  .object({
    name: z.string().trim().min(1).max(120),
    classes: ClassNames,
    /** What the labels are for. Absent means 'detect' (manifests from before it existed). */
    task: Task.optional(),
    images: z.array(ManifestImage).max(100_000),
  })
  .superRefine((m, ctx) => {
    const check = (classIndex: number, path: (string | number)[]) => {
      if (classIndex < m.classes.length) return;
      ctx.addIssue({
        code: 'custom',
        path,
        message: `class ${classIndex} does not exist (the dataset has ${m.classes.length})`,
      });
    };
    m.images.forEach((image, i) => {
      image.boxes.forEach((box, j) =>
        check(box.classIndex, ['images', i, 'boxes', j, 'classIndex']),
      );
      image.polygons?.forEach((p, j) =>
        check(p.classIndex, ['images', i, 'polygons', j, 'classIndex']),
      );
      if (image.imageClass !== undefined) check(image.imageClass, ['images', i, 'imageClass']);
    });
  });
export type DatasetManifest = z.infer<typeof DatasetManifest>;

export const SyncPlanRequest = z.object({ sha256s: z.array(Sha256).max(100_000) });
export const SyncPlan = z.object({ missing: z.array(Sha256) });
export type SyncPlan = z.infer<typeof SyncPlan>;

/** A sealed, immutable dataset version; its id is the SHA-256 of its canonical manifest. */
export const DatasetVersion = z.object({
  id: Sha256,
  name: z.string(),
  classes: z.array(z.string()),
  task: Task,
  imageCount: z.number().int(),
  boxCount: z.number().int(),
  polygonCount: z.number().int(),
  /** Images that carry an image-level class (what classify trains on). */
  classifiedCount: z.number().int(),
  createdAt: z.string(),
});
export type DatasetVersion = z.infer<typeof DatasetVersion>;

/** What `POST /api/dataset-versions/import` took from a bundle. */
export const BundleImportReport = z.object({
  version: DatasetVersion,
  images: z.number().int(),
  /** Blobs stored by this import. */
  blobsNew: z.number().int(),
  /** Blobs the server already had (checked all the same when they were in the bundle). */
  blobsAlreadyPresent: z.number().int(),
  /** Entries left unread, with why. A bundle with anything unsafe is refused whole instead. */
  refused: z.array(z.object({ entry: z.string(), reason: z.string() })),
});
export type BundleImportReport = z.infer<typeof BundleImportReport>;

const DiffImage = z.object({ sha256: Sha256, fileName: z.string() });
const Size = z.object({ width: z.number().int(), height: z.number().int() });

/** How two versions differ; labels are compared by class name, so renumbering is no change. */
export const DatasetDiff = z.object({
  from: Sha256,
  to: Sha256,
  added: z.array(DiffImage),
  removed: z.array(DiffImage),
  /** Images in both whose labels differ. */
  labelsChanged: z.array(DiffImage),
  /** Images in both whose recorded width or height differ. */
  sizeChanged: z.array(DiffImage.extend({ from: Size, to: Size })),
  /** Per class name: labels in each version, and in the added / removed / changed images. */
  classes: z.array(
    z.object({
      name: z.string(),
      from: z.number().int(),
      to: z.number().int(),
      inAdded: z.number().int(),
      inRemoved: z.number().int(),
      inChanged: z.number().int(),
    }),
  ),
});
export type DatasetDiff = z.infer<typeof DatasetDiff>;

/** What happens to an image that is left with no label once classes are dropped. */
export const UnlabeledImages = z.enum(['keep', 'drop']);

/** Several versions into one training set; each source class maps to a target name or null (dropped). */
export const MergeRequest = z.object({
  name: z.string().trim().min(1).max(120),
  sources: z
    .array(
      z.object({
        versionId: Sha256,
        /** Source class name -> target class name, or null to drop it; unnamed classes keep their name. */
        classMap: z.record(z.string(), z.string().trim().min(1).max(64).nullable()).default({}),
      }),
    )
    .min(1)
    .max(50),
  unlabeled: UnlabeledImages.default('keep'),
});
export type MergeRequest = z.infer<typeof MergeRequest>;

/** Which classes a derived training set keeps; a label counts once per box, polygon or image class. */
export const DeriveRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('top-k'), k: z.number().int().min(1).max(1000) }),
  z.object({ kind: z.literal('min-count'), n: z.number().int().min(1) }),
]);
export type DeriveRule = z.infer<typeof DeriveRule>;

export const DeriveRequest = z.object({
  versionId: Sha256,
  name: z.string().trim().min(1).max(120).optional(),
  rule: DeriveRule,
  unlabeled: UnlabeledImages,
});
export type DeriveRequest = z.infer<typeof DeriveRequest>;
