import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import { UploadStore } from './upload-store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('BlobStore.init on a fresh data dir', () => {
  it('creates the resumable-upload folder, so start-up recovery can list it at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-blobs-'));
    dirs.push(dir);
    const store = new BlobStore(join(dir, 'blobs'));
    await store.init();
    expect(existsSync(store.uploadsDir)).toBe(true);
    // Listed right after construction, before tus's own (unawaited) mkdir could have run.
    expect(await new UploadStore(store.uploadsDir, 60_000).ids()).toEqual([]);
  });
});
