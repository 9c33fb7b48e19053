import { resolve } from 'node:path';
import { z } from 'zod';
import { Sha256 } from './contract/common';
import { PretrainedName } from './contract/pretrained';

/** What one request may bring; each is a LOUPE_MAX_* setting (README, "Limits"). */
export const defaultLimits = {
  /** JSON request bodies (a sync manifest) and a bundle's manifest.json. */
  maxJsonBytes: 32 * 1024 * 1024,
  /** A bundle .zip as uploaded. */
  maxBundleBytes: 8 * 1024 * 1024 * 1024,
  /** Bytes actually decompressed from one bundle, all entries together (zip bombs). */
  maxBundleUnzippedBytes: 8 * 1024 * 1024 * 1024,
  maxBundleEntries: 200_000,
  /** Width x height an image header may declare (decompression bombs; Pillow stops at ~179M). */
  maxImagePixels: 100_000_000,
};
export type Limits = typeof defaultLimits;

/** The only module that reads process.env: everything else receives a typed Env. */
const EnvSchema = z.object({
  LOUPE_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  LOUPE_HOST: z.string().default('127.0.0.1'),
  LOUPE_DATA_DIR: z.string().default('data'),
  LOUPE_WEB_DIR: z.string().default('build'),
  /** "local" starts one gpu-runner beside the server; "off" leaves runners to other machines. */
  LOUPE_RUNNER: z.enum(['local', 'off']).default('local'),
  LOUPE_RUNNER_PYTHON: z.string().default('gpu-runner/.venv/bin/python'),
  LOUPE_LEASE_SECONDS: z.coerce.number().int().min(5).default(60),
  LOUPE_MAX_BLOB_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  LOUPE_MAX_JSON_BYTES: z.coerce.number().int().positive().default(defaultLimits.maxJsonBytes),
  LOUPE_MAX_BUNDLE_BYTES: z.coerce.number().int().positive().default(defaultLimits.maxBundleBytes),
  LOUPE_MAX_BUNDLE_UNZIPPED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(defaultLimits.maxBundleUnzippedBytes),
  LOUPE_MAX_BUNDLE_ENTRIES: z.coerce
    .number()
    .int()
    .positive()
    .default(defaultLimits.maxBundleEntries),
  LOUPE_MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(defaultLimits.maxImagePixels),
  /** A resumable upload left unfinished this long is deleted (its bytes must be sent again). */
  LOUPE_UPLOAD_EXPIRY_HOURS: z.coerce.number().positive().default(24),
  /** Optional: POSTed a JSON message whenever a training job ends. */
  LOUPE_WEBHOOK_URL: z.url().optional(),
  /**
   * SHA-256s of the base .pt files users may upload to fine-tune from, comma-separated.
   * Ultralytics unpickles a .pt, which can run code on the runner, so nothing else is accepted.
   */
  LOUPE_TRUSTED_WEIGHTS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(Sha256)),
  /**
   * SHA-256s of Ultralytics' official pretrained files, `name=sha256` comma-separated
   * (`yolo11n.pt=<sha256>`): a copy in the weights folder, an upload or a runner's download
   * with other bytes is refused. Unpinned, a runner records the digest of its first download.
   */
  LOUPE_PRETRAINED_SHA256: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((pair) => pair.split('=').map((s) => s.trim())),
    )
    .pipe(z.array(z.tuple([PretrainedName, Sha256])))
    .transform((pairs) => Object.fromEntries(pairs)),
  /** "runner": a runner fetches an official file the server lacks; "off": only the server's. */
  LOUPE_PRETRAINED_DOWNLOAD: z.enum(['runner', 'off']).default('runner'),
});

export type Env = {
  port: number;
  host: string;
  dataDir: string;
  webDir: string;
  runner: 'local' | 'off';
  runnerPython: string;
  leaseSeconds: number;
  maxBlobBytes: number;
  limits: Limits;
  uploadExpiryHours: number;
  webhookUrl: string | null;
  trustedWeights: string[];
  /** Official pretrained .pt files: LOUPE_DATA_DIR/weights (and as users see it), and pins. */
  pretrainedDir: string;
  pretrainedLabel: string;
  pretrainedPins: Record<string, string>;
  pretrainedDownload: boolean;
};

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.LOUPE_PORT,
    host: e.LOUPE_HOST,
    dataDir: resolve(e.LOUPE_DATA_DIR),
    webDir: resolve(e.LOUPE_WEB_DIR),
    runner: e.LOUPE_RUNNER,
    runnerPython: resolve(e.LOUPE_RUNNER_PYTHON),
    leaseSeconds: e.LOUPE_LEASE_SECONDS,
    maxBlobBytes: e.LOUPE_MAX_BLOB_BYTES,
    uploadExpiryHours: e.LOUPE_UPLOAD_EXPIRY_HOURS,
    limits: {
      maxJsonBytes: e.LOUPE_MAX_JSON_BYTES,
      maxBundleBytes: e.LOUPE_MAX_BUNDLE_BYTES,
      maxBundleUnzippedBytes: e.LOUPE_MAX_BUNDLE_UNZIPPED_BYTES,
      maxBundleEntries: e.LOUPE_MAX_BUNDLE_ENTRIES,
      maxImagePixels: e.LOUPE_MAX_IMAGE_PIXELS,
    },
    webhookUrl: e.LOUPE_WEBHOOK_URL ?? null,
    trustedWeights: e.LOUPE_TRUSTED_WEIGHTS,
    pretrainedDir: resolve(e.LOUPE_DATA_DIR, 'weights'),
    pretrainedLabel: `${e.LOUPE_DATA_DIR.replace(/\/+$/, '')}/weights`,
    pretrainedPins: e.LOUPE_PRETRAINED_SHA256,
    pretrainedDownload: e.LOUPE_PRETRAINED_DOWNLOAD === 'runner',
  };
}
