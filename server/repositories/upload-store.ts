import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import type { ChunkInspector } from './blob-store';

/** What sees the chunks of a write to upload `id` starting at `offset`; null: nothing does. */
export type WriteInspector = (id: string, offset: number) => Promise<ChunkInspector | null>;

/**
 * Unfinished resumable uploads on disk (tus): `<dir>/<id>` holds the bytes received so far and
 * `<dir>/<id>.json` what the client declared (size, metadata). Both survive a server restart,
 * so an interrupted upload resumes at the offset the file has reached.
 */
export class UploadStore extends FileStore {
  private inspector: WriteInspector = () => Promise.resolve(null);

  constructor(directory: string, expiryMs: number) {
    super({ directory, expirationPeriodInMilliseconds: expiryMs });
  }

  /** Every write passes its chunks to `inspector` first; a chunk it throws at is not written. */
  inspectWrites(inspector: WriteInspector) {
    this.inspector = inspector;
  }

  /**
   * FileStore's write, with the inspector in front. A refused write drops the whole upload (a
   * resumed one would be refused again) and rethrows the inspector's own error, which FileStore
   * would otherwise turn into a generic write failure.
   */
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const inspect = await this.inspector(id, offset);
    if (!inspect) return super.write(readable, id, offset);
    let refusal: unknown = null;
    const inspected = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        try {
          inspect(chunk);
        } catch (error) {
          refusal = error;
          return done(error instanceof Error ? error : new Error(String(error)));
        }
        done(null, chunk);
      },
    });
    // pipe, not pipeline: a refusal must not destroy the request stream, or tus would answer
    // before the upload is dropped below.
    readable.on('error', (error) => inspected.destroy(error));
    try {
      return await super.write(readable.pipe(inspected), id, offset);
    } catch (error) {
      if (refusal === null) throw error;
      await this.forget(id);
      throw refusal;
    }
  }

  /** Every upload the store knows, finished or not. */
  async ids(): Promise<string[]> {
    try {
      return (await this.configstore.list?.()) ?? [];
    } catch (error) {
      // FileStore creates its folder without waiting for it: on a fresh data dir, start-up
      // recovery can look before it exists, and then there is nothing to recover.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Drops an upload whether or not its bytes are still here (adopted ones were moved away). */
  async forget(id: string): Promise<void> {
    await rm(join(this.directory, id), { force: true });
    await this.configstore.delete(id);
  }
}
