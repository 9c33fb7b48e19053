import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';

let root: string;
afterEach(() => rm(root, { recursive: true, force: true }));

describe('BlobStore start-up', () => {
  it('removes the unfinished files a killed run left in its temporary folder, and keeps blobs', async () => {
    root = await mkdtemp(join(tmpdir(), 'loupe-blobs-'));
    const first = new BlobStore(root);
    expect(await first.init()).toBe(0);
    const kept = await first.receive(Readable.from([Buffer.from('a stored photo')]), 1024);
    await first.commit(kept.tmpPath, kept.sha256);
    // What a process killed in the middle of a PUT leaves behind: a half-written temporary file.
    await writeFile(join(root, 'tmp', 'killed-upload'), Buffer.alloc(4096, 1));

    const restarted = new BlobStore(root);
    expect(await restarted.init()).toBe(1);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await restarted.has(kept.sha256)).toBe(true);
  });
});
