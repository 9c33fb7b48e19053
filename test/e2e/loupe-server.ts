import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnv } from '../../server/env';
import { startServer } from '../../server/server';

/** The product as `npm start` runs it (server, built PWA, local gpu-runner) on a fresh data dir. */
export async function startLoupe() {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-e2e-'));
  const env = readEnv({
    LOUPE_PORT: '0',
    LOUPE_DATA_DIR: dataDir,
    LOUPE_RUNNER: 'local',
    LOUPE_RUNNER_PYTHON: resolve('gpu-runner/.venv/bin/python'),
    LOUPE_WEB_DIR: resolve('build'),
  });
  const server = await startServer(env);
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(server.url + path, {
      headers: { authorization: `Bearer ${server.tokens.userToken}` },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    ...server,
    dataDir,
    api,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type FixtureImage = {
  file: string;
  width: number;
  height: number;
  boxes: { classIndex: number; x: number; y: number; w: number; h: number }[];
};

/** Synthetic card photos with exactly known boxes, from the fixture generator. */
export function generateCards(count: number, seed: number) {
  const out = mkdtempSync(join(tmpdir(), 'loupe-cards-'));
  execFileSync(resolve('gpu-runner/.venv/bin/python'), [
    resolve('test/fixtures/generate_cards.py'),
    '--out',
    out,
    '--count',
    String(count),
    '--seed',
    String(seed),
  ]);
  const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as {
    classes: string[];
    images: FixtureImage[];
  };
  return { dir: out, ...labels, path: (file: string) => join(out, file) };
}
