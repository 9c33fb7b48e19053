import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StoredBlob = { sha256: string; bytes: number; head: Buffer };

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body is larger than ${limit} bytes`);
  }
}

/** Sees each chunk as it passes; throwing refuses the upload with that error. */
export type ChunkInspector = (chunk: Buffer) => void;

/** Counts, hashes and keeps the first 64 bytes (for sniffing) of what passes; refuses past a limit. */
class BlobMeter extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private readonly head: Buffer[] = [];
  private headBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly inspect: ChunkInspector = () => {},
  ) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _enc: BufferEncoding,
    done: (e?: Error | null, c?: Buffer) => void,
  ) {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(new BlobTooLargeError(this.maxBytes));
    try {
      this.inspect(chunk);
    } catch (error) {
      return done(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.headBytes < 64) {
      this.head.push(chunk.subarray(0, 64 - this.headBytes));
      this.headBytes += Math.min(chunk.length, 64 - this.headBytes);
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  result(): StoredBlob {
    return { sha256: this.hash.digest('hex'), bytes: this.bytes, head: Buffer.concat(this.head) };
  }
}

function sizeLimit(maxBytes: number) {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? new BlobTooLargeError(maxBytes) : null, chunk);
    },
  });
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

  /**
   * Starts with an empty temporary folder: whatever is there belongs to a request of an earlier
   * run that was killed mid-write (its client saw an error and sends it again), and would
   * otherwise stay forever. Returns how many such files were removed.
   */
  async init(): Promise<number> {
    const stale = await readdir(this.tmp).catch(() => []);
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
    return stale.length;
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

  /** Resumable uploads collect here: on this disk, so a finished one is renamed into place. */
  get uploadsDir() {
    return join(this.root, 'uploads');
  }

  /** Streams `body` to a temporary file, hashing and counting as it goes; nothing is buffered. */
  async receive(
    body: Readable,
    maxBytes: number,
    inspect?: ChunkInspector,
  ): Promise<StoredBlob & { tmpPath: string }> {
    const meter = new BlobMeter(maxBytes, inspect);
    const tmpPath = await this.write(body, meter);
    return { tmpPath, ...meter.result() };
  }

  /**
   * Streams `body` to a temporary file, only counting: for an upload that is read back and then
   * discarded (a bundle), where hashing every byte would be wasted work.
   */
  spool(body: Readable, maxBytes: number) {
    return this.write(body, sizeLimit(maxBytes));
  }

  private async write(body: Readable, meter: Transform) {
    const tmpPath = join(this.tmp, randomUUID());
    try {
      await pipeline(body, meter, createWriteStream(tmpPath));
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
    return tmpPath;
  }

  /** Hashes a file already on this disk (a finished resumable upload) without copying it. */
  async measure(
    path: string,
    maxBytes: number,
    inspect?: ChunkInspector,
  ): Promise<StoredBlob & { tmpPath: string }> {
    const meter = new BlobMeter(maxBytes, inspect);
    await pipeline(
      createReadStream(path),
      meter,
      new Writable({ write: (_c, _e, done) => done() }),
    );
    return { tmpPath: path, ...meter.result() };
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
