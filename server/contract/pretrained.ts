import { z } from 'zod';
import { Sha256 } from './common';

/**
 * Ultralytics' official pretrained files, by name: family, scale letter (nano to extra large)
 * and task suffix, as its release assets call them (yolo11n.pt, yolov8s-seg.pt, yolo26m-cls.pt).
 * Mirrored as PretrainedName in the runner's contract.py.
 */
export const PRETRAINED_NAME =
  /^(yolov8|yolo11|yolo12|yolo26)([nsmlx])(-seg|-cls|-pose|-obb)?\.pt$/;
export const PretrainedName = z.string().regex(PRETRAINED_NAME, {
  message: 'not an official Ultralytics file name such as yolo11n.pt or yolov8s-seg.pt',
});

export const PretrainedTask = z.enum(['detect', 'segment', 'classify', 'pose', 'obb']);
const TASK_SUFFIX: Record<z.infer<typeof PretrainedTask>, string> = {
  detect: '',
  segment: '-seg',
  classify: '-cls',
  pose: '-pose',
  obb: '-obb',
};

/** The official file a model of this architecture ("yolo11n") and task starts from. */
export function pretrainedName(architecture: string, task: z.infer<typeof PretrainedTask>): string {
  return `${architecture}${TASK_SUFFIX[task]}.pt`;
}

/** What a file's name says it holds; the runner checks the file's content says the same. */
export function describePretrained(name: string) {
  const match = PRETRAINED_NAME.exec(name);
  if (!match) return null;
  const suffix = match[3] ?? '';
  const task = PretrainedTask.options.find((t) => TASK_SUFFIX[t] === suffix)!;
  return { family: match[1]!, scale: match[2]!, task };
}

/** An official file the server holds (dropped in its weights folder, or uploaded). */
export const PretrainedFile = z.object({
  name: PretrainedName,
  family: z.string(),
  scale: z.string(),
  task: PretrainedTask,
  sha256: Sha256,
  bytes: z.number().int().positive(),
  /** An operator pinned this file's SHA-256 (LOUPE_PRETRAINED_SHA256) and it matches. */
  pinned: z.boolean(),
});
export type PretrainedFile = z.infer<typeof PretrainedFile>;

export const PretrainedCatalog = z.object({
  files: z.array(PretrainedFile),
  /** The server's folder for them, relative to its data directory ("weights"). */
  folder: z.string(),
  /** Files in the folder that are not used, and why (not an official name, pin mismatch). */
  problems: z.array(z.string()),
  /** A job may ask its runner to fetch a file the server lacks (LOUPE_PRETRAINED_DOWNLOAD). */
  runnerDownload: z.boolean(),
});
export type PretrainedCatalog = z.infer<typeof PretrainedCatalog>;

/**
 * A pretrained start the server holds no copy of: the runner fetches the official file itself
 * (LOUPE_PRETRAINED_URL), checked against the operator's pin, or the digest it records on its
 * first download.
 */
export const PretrainedFetch = z.object({
  name: PretrainedName,
  sha256: Sha256.nullable().default(null),
});
export type PretrainedFetch = z.infer<typeof PretrainedFetch>;
