import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UploadStore } from './upload-store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('UploadStore on a fresh data dir', () => {
  it('lists no uploads, instead of failing, before tus has created its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-uploads-'));
    dirs.push(dir);
    const folder = join(dir, 'uploads');
    // Listed right after construction, before tus's own (unawaited) mkdir has run.
    const store = new UploadStore(folder, 60_000);
    expect(await store.ids()).toEqual([]);
    // Let that mkdir finish before the folder is removed.
    await vi.waitFor(() => expect(existsSync(folder)).toBe(true));
  });
});
