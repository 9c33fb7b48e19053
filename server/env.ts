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
  LOUPE_TRUSTED_WEIGHTS: z.string().default('').transform(commaList).pipe(z.array(Sha256)),
  /**
   * HTTPS: "auto" serves it whenever the server listens beyond loopback (a phone can reach it),
   * "on" always, "off" never (behind a TLS-terminating reverse proxy).
   */
  LOUPE_TLS: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The operator's own certificate and key (PEM), instead of Loupe's local CA. */
  LOUPE_TLS_CERT: z.string().optional(),
  LOUPE_TLS_KEY: z.string().optional(),
  /** Extra names clients use to reach this machine (a DNS name, a Tailscale name), comma-separated. */
  LOUPE_TLS_NAMES: z.string().default('').transform(commaList),
  /** Behind a reverse proxy: trust its X-Forwarded-Proto and X-Forwarded-Host. */
  LOUPE_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** HTTP/2 where TLS is on (one connection for the event stream and uploads). */
  LOUPE_HTTP2: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
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

function commaList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

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
  tls: TlsSettings;
};

/** How the server speaks TLS (README, "A phone on the same network"). */
export type TlsSettings = {
  mode: 'auto' | 'on' | 'off';
  /** The operator's own certificate, or null for Loupe's local CA. */
  own: { cert: string; key: string } | null;
  names: string[];
  trustProxy: boolean;
  http2: boolean;
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
    tls: {
      mode: e.LOUPE_TLS,
      own: ownCertificate(e.LOUPE_TLS_CERT, e.LOUPE_TLS_KEY),
      names: e.LOUPE_TLS_NAMES,
      trustProxy: e.LOUPE_TRUST_PROXY,
      http2: e.LOUPE_HTTP2,
    },
    pretrainedDir: resolve(e.LOUPE_DATA_DIR, 'weights'),
    pretrainedLabel: `${e.LOUPE_DATA_DIR.replace(/\/+$/, '')}/weights`,
    pretrainedPins: e.LOUPE_PRETRAINED_SHA256,
    pretrainedDownload: e.LOUPE_PRETRAINED_DOWNLOAD === 'runner',
  };
}

function ownCertificate(cert: string | undefined, key: string | undefined) {
  if (!cert && !key) return null;
  if (!cert || !key) {
    throw new Error(
      'Invalid environment:\n  LOUPE_TLS_CERT and LOUPE_TLS_KEY go together: set both (or neither, for the local CA)',
    );
  }
  return { cert: resolve(cert), key: resolve(key) };
}
