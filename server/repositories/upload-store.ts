import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';

/**
 * Unfinished resumable uploads on disk (tus): `<dir>/<id>` holds the bytes received so far and
 * `<dir>/<id>.json` what the client declared (size, metadata). Both survive a server restart,
 * so an interrupted upload resumes at the offset the file has reached.
 */
export class UploadStore extends FileStore {
  constructor(directory: string, expiryMs: number) {
    super({ directory, expirationPeriodInMilliseconds: expiryMs });
  }

  /** Every upload the store knows, finished or not. */
  async ids(): Promise<string[]> {
    return (await this.configstore.list?.()) ?? [];
  }

  /** Drops an upload whether or not its bytes are still here (adopted ones were moved away). */
  async forget(id: string): Promise<void> {
    await rm(join(this.directory, id), { force: true });
    await this.configstore.delete(id);
  }
}
