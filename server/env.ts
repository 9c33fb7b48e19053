import { resolve } from 'node:path';
import { z } from 'zod';
import { Sha256 } from './contract/common';

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
  webhookUrl: string | null;
  trustedWeights: string[];
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
    webhookUrl: e.LOUPE_WEBHOOK_URL ?? null,
    trustedWeights: e.LOUPE_TRUSTED_WEIGHTS,
  };
}
