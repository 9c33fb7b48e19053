import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBundle } from './bundle-reader';
import { writeBundle } from './bundle-writer';

const limits = {
  maxEntries: 10_000,
  maxEntryBytes: 1e6,
  maxManifestBytes: 1e6,
  maxUnzippedBytes: 1e9,
};

describe('writeBundle', () => {
  it('announces its exact size, also past the 64 KiB central directory, and reads back', async () => {
    for (const count of [3, 1000]) {
      const blobs = Array.from({ length: count }, (_, i) => ({
        sha256: i.toString(16).padStart(64, '0'),
        bytes: 10,
        open: () => Readable.from([Buffer.alloc(10, i % 256)]),
      }));
      const bundle = writeBundle('{"name":"x"}', blobs);
      const chunks: Buffer[] = [];
      for await (const chunk of bundle.stream) chunks.push(chunk as Buffer);
      const zip = Buffer.concat(chunks);
      expect(bundle.size).toBe(zip.length);
      const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
      writeFileSync(join(dir, 'b.zip'), zip);
      await readBundle(join(dir, 'b.zip'), limits, async (b) => {
        expect(b.blobs.size).toBe(count);
        expect(await b.readManifest()).toEqual({ name: 'x' });
        const last = blobs[count - 1]!.sha256;
        const read: Buffer[] = [];
        for await (const chunk of b.openBlob(last)) read.push(chunk as Buffer);
        expect(Buffer.concat(read)).toEqual(Buffer.alloc(10, (count - 1) % 256));
      });
      rmSync(dir, { recursive: true });
    }
  });
});
