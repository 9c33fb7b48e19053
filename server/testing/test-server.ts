import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApi } from '../app';
import { BlobStore } from '../repositories/blob-store';
import { openDatabase } from '../repositories/database';
import { createServices } from '../services';
import type { Clock } from '../services/clock';

/** A clock the test moves by hand: the one boundary server tests replace. */
export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now = () => new Date(this.ms);
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** The real API over a real SQLite file and blob folder in a temporary directory. */
export async function createTestApi(leaseSeconds = 60) {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-test-'));
  const db = openDatabase(join(dir, 'loupe.sqlite'));
  const blobStore = new BlobStore(join(dir, 'blobs'));
  await blobStore.init();
  const clock = new ManualClock();
  const tokens = { userToken: 'user-token', runnerToken: 'runner-token' };
  const services = createServices({
    db,
    blobStore,
    clock,
    leaseSeconds,
    maxBlobBytes: 1024 * 1024,
  });
  const api = createApi(services, tokens);
  const call =
    (token: string) =>
    (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return api.request(path, { ...init, headers, body });
    };
  return {
    api,
    db,
    clock,
    services,
    user: call(tokens.userToken),
    runner: call(tokens.runnerToken),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A real 2x2 PNG, different for each seed. */
export function tinyPng(seed = 0): Uint8Array<ArrayBuffer> {
  const b64 =
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';
  const bytes = Buffer.from(b64, 'base64');
  // Appending bytes after IEND keeps the PNG valid and changes its hash.
  return new Uint8Array(Buffer.concat([bytes, Buffer.from([seed])]));
}
