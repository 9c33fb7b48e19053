import { z } from 'zod';
import { Sha256 } from './common';

/** Slack for float rounding when a box touches the image edge. */
const EDGE_TOLERANCE = 1e-6;

/**
 * An axis-aligned box in normalised image coordinates: (x, y) is the top-left corner and every
 * value is a fraction of the image's width or height, so labels survive any resize.
 */
export const Box = z
  .object({
    classIndex: z.number().int().min(0),
    x: z.number().min(0),
    y: z.number().min(0),
    w: z.number().positive(),
    h: z.number().positive(),
  })
  .refine((b) => b.x + b.w <= 1 + EDGE_TOLERANCE && b.y + b.h <= 1 + EDGE_TOLERANCE, {
    message: 'box reaches outside the image (x + w and y + h must be at most 1)',
  });
export type Box = z.infer<typeof Box>;

export const ManifestImage = z.object({
  sha256: Sha256,
  fileName: z.string().min(1).max(255),
  width: z.number().int().positive().max(20_000),
  height: z.number().int().positive().max(20_000),
  boxes: z.array(Box).max(1000),
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
    images: z.array(ManifestImage).max(100_000),
  })
  .superRefine((m, ctx) => {
    m.images.forEach((image, i) => {
      image.boxes.forEach((box, j) => {
        if (box.classIndex >= m.classes.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['images', i, 'boxes', j, 'classIndex'],
            message: `class ${box.classIndex} does not exist (the dataset has ${m.classes.length})`,
          });
        }
      });
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
  imageCount: z.number().int(),
  boxCount: z.number().int(),
  createdAt: z.string(),
});
export type DatasetVersion = z.infer<typeof DatasetVersion>;
