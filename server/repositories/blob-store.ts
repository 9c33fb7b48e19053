import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StoredBlob = { sha256: string; bytes: number; head: Buffer };

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body is larger than ${limit} bytes`);
  }
}

/**
 * Content-addressed files: `<root>/ab/cdef...` named by SHA-256. Writes go to a temporary file
 * first and are renamed into place only once complete and hashed, so a reader never sees a
 * partial blob.
 */
export class BlobStore {
  private readonly tmp: string;

  constructor(private readonly root: string) {
    this.tmp = join(root, 'tmp');
  }

  async init() {
    await mkdir(this.tmp, { recursive: true });
  }

  pathOf(sha256: string) {
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  async has(sha256: string) {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  /** Streams `body` to a temporary file, hashing and counting as it goes; nothing is buffered. */
  async receive(body: Readable, maxBytes: number): Promise<StoredBlob & { tmpPath: string }> {
    const tmpPath = join(this.tmp, randomUUID());
    const hash = createHash('sha256');
    let bytes = 0;
    const head: Buffer[] = [];
    let headBytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) return done(new BlobTooLargeError(maxBytes));
        if (headBytes < 64) {
          head.push(chunk.subarray(0, 64 - headBytes));
          headBytes += Math.min(chunk.length, 64 - headBytes);
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmpPath));
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
    return { tmpPath, sha256: hash.digest('hex'), bytes, head: Buffer.concat(head) };
  }

  async commit(tmpPath: string, sha256: string) {
    const target = this.pathOf(sha256);
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    await rename(tmpPath, target);
  }

  async discard(tmpPath: string) {
    await rm(tmpPath, { force: true });
  }

  /** `end` is inclusive, as in an HTTP Range. */
  open(sha256: string, range?: { start: number; end: number }) {
    return createReadStream(this.pathOf(sha256), range);
  }
}
