import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DatasetVersion } from '../../server/contract';
import { readEnv } from '../../server/env';
import { startServer } from '../../server/server';
import { launchChromium, PHONE } from './browser';

export type Loupe = Awaited<ReturnType<typeof startLoupe>>;

/**
 * The product (with its runner) and one phone-sized page for a test file: started before its
 * tests, closed after them; `ready` hands both over once they exist.
 */
export function openLoupePage(ready: (loupe: Loupe, page: Page) => void) {
  let loupe: Loupe | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeAll(async () => {
    loupe = await startLoupe();
    browser = await launchChromium();
    const page = await browser.newPage(PHONE);
    page.on('pageerror', (e) => console.error('page error:', e));
    ready(loupe, page);
  });
  afterAll(async () => {
    await browser?.close();
    await loupe?.close();
  });
}

/** The product as `npm start` runs it (server, built PWA, local gpu-runner) on a fresh data dir. */
export async function startLoupe() {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-e2e-'));
  const env = readEnv({
    LOUPE_PORT: '0',
    LOUPE_DATA_DIR: dataDir,
    LOUPE_RUNNER: 'local',
    LOUPE_RUNNER_PYTHON: resolve('gpu-runner/.venv/bin/python'),
    LOUPE_WEB_DIR: resolve('build'),
    // Tests never reach the internet: a pretrained start needs the file in data/weights.
    LOUPE_PRETRAINED_DOWNLOAD: 'off',
  });
  const server = await startServer(env);
  const send = (path: string, init: RequestInit = {}) =>
    fetch(server.url + path, {
      ...init,
      headers: { authorization: `Bearer ${server.tokens.userToken}`, ...init.headers },
    });
  const post = async <T>(path: string, json: unknown): Promise<T> => {
    const res = await send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  /** Puts fixture photos on the server through the same API the PWA's sync uses. */
  const seed = async (cards: Cards, name = 'cards') => {
    const images = cards.images.map((image) => {
      const bytes = readFileSync(cards.path(image.file));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const { width, height, boxes } = image;
      return { bytes, entry: { sha256, fileName: image.file, width, height, boxes } };
    });
    for (const { bytes, entry } of images) {
      await send(`/api/blobs/${entry.sha256}`, { method: 'PUT', body: bytes });
    }
    const manifest = { name, classes: cards.classes, images: images.map((i) => i.entry) };
    return post<DatasetVersion>('/api/dataset-versions', manifest);
  };
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
    post,
    seed,
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

export type Cards = ReturnType<typeof generateCards>;

/** Synthetic card photos with exactly known boxes, from the fixture generator (320x240 unless `size`). */
export function generateCards(count: number, seed: number, size = '320x240') {
  const out = mkdtempSync(join(tmpdir(), 'loupe-cards-'));
  execFileSync(resolve('gpu-runner/.venv/bin/python'), [
    resolve('test/fixtures/generate_cards.py'),
    '--out',
    out,
    '--count',
    String(count),
    '--seed',
    String(seed),
    '--size',
    size,
  ]);
  const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as {
    classes: string[];
    images: FixtureImage[];
  };
  return { dir: out, ...labels, path: (file: string) => join(out, file) };
}
