import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import {
  describePretrained,
  PRETRAINED_NAME,
  type PretrainedCatalog,
  type PretrainedFetch,
  type PretrainedFile,
  type WeightsFile,
} from '../contract';
import { AppError } from '../http/app-error';
import type { BlobService } from './blob.service';
import type { ServiceOptions } from './index';

type Seen = { size: number; mtimeMs: number; file: PretrainedFile | null; problem: string | null };

/**
 * Ultralytics' official pretrained files on this server: the `.pt` files in its weights folder
 * (an operator drops them in; the Models page uploads there too), recognised by their official
 * name. Each is hashed and kept in the blob store, so a runner fetches it as it fetches any base
 * weights. The server never unpickles one: the runner reads it with its restricted loader and
 * checks that it holds the family, size and task its name promises.
 */
export class PretrainedService {
  /** By file name; a file is hashed again only when its size or time changes. */
  private readonly seen = new Map<string, Seen>();

  private readonly folder: string;
  private readonly pins: Readonly<Record<string, string>>;

  constructor(
    private readonly blobs: BlobService,
    private readonly options: ServiceOptions['pretrained'],
  ) {
    this.folder = options.folder;
    this.pins = options.pins;
  }

  /** Looks at the folder again (new, changed or removed files) and lists what can be used. */
  async catalog(): Promise<PretrainedCatalog> {
    await this.refresh();
    const files: PretrainedFile[] = [];
    const problems: string[] = [];
    for (const seen of this.seen.values()) {
      if (seen.file) files.push(seen.file);
      if (seen.problem) problems.push(seen.problem);
    }
    files.sort((a, b) => a.name.localeCompare(b.name));
    return {
      files,
      folder: this.options.label,
      problems,
      runnerDownload: this.options.download,
    };
  }

  /** Stores an upload under its official name (in the folder, so it outlives a restart). */
  async upload(name: string, body: Readable | null): Promise<PretrainedFile> {
    const pin = this.pins[name];
    const stored = await this.blobs.putArtifact(body, 'application/octet-stream', ({ sha256 }) => {
      if (pin && pin !== sha256) throw this.pinMismatch(name, sha256, pin);
    });
    await mkdir(this.folder, { recursive: true });
    const partial = join(this.folder, `.${name}.upload`);
    try {
      await pipeline(this.blobs.open(stored.sha256).read(), createWriteStream(partial));
      await rename(partial, join(this.folder, name));
    } finally {
      await rm(partial, { force: true });
    }
    await this.refresh();
    const file = this.seen.get(name)?.file;
    if (!file) throw new Error(`${name} was stored but not recognised`);
    return file;
  }

  /**
   * What a job starting from `name` gets: the server's copy, or what the runner needs to fetch
   * it itself (the operator's pin, if any). Reads the last look at the folder (`catalog`).
   */
  resolve(name: string): { file: WeightsFile | null; fetch: PretrainedFetch | null } {
    const file = this.seen.get(name)?.file;
    if (file) return { file: { sha256: file.sha256, bytes: file.bytes }, fetch: null };
    if (!this.options.download) {
      throw new AppError(
        422,
        'pretrained_missing',
        `this server has no ${name}, and its runners do not download official weights (LOUPE_PRETRAINED_DOWNLOAD=off)`,
        `Put the official ${name} in the server's ${this.options.label} folder or upload it on the Models page, or start from scratch.`,
      );
    }
    return { file: null, fetch: { name, sha256: this.pins[name] ?? null } };
  }

  async refresh(): Promise<void> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    for (const name of this.seen.keys()) if (!names.includes(name)) this.seen.delete(name);
    for (const name of names) {
      if (!name.endsWith('.pt')) continue;
      const info = await stat(join(this.folder, name)).catch(() => null);
      if (!info?.isFile()) continue;
      const known = this.seen.get(name);
      if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) continue;
      this.seen.set(name, {
        size: info.size,
        mtimeMs: info.mtimeMs,
        ...(await this.recognise(name)),
      });
    }
  }

  private async recognise(name: string): Promise<Pick<Seen, 'file' | 'problem'>> {
    const what = describePretrained(name);
    if (!what || !PRETRAINED_NAME.test(name)) {
      return {
        file: null,
        problem: `${name} is not an official Ultralytics file name (such as yolo11n.pt or yolov8s-seg.pt), so it is not offered. Rename it to the official name it was downloaded as.`,
      };
    }
    const path = join(this.folder, name);
    const stored = await this.blobs.putArtifact(
      createReadStream(path),
      'application/octet-stream',
      undefined,
      Number.MAX_SAFE_INTEGER,
    );
    const pin = this.pins[name];
    if (pin && pin !== stored.sha256) {
      return { file: null, problem: this.pinMismatch(name, stored.sha256, pin).message };
    }
    return { file: { name, ...what, ...stored, pinned: !!pin }, problem: null };
  }

  private pinMismatch(name: string, sha256: string, pin: string) {
    return new AppError(
      422,
      'pretrained_pin_mismatch',
      `${name} has SHA-256 ${sha256}, not the ${pin} pinned in LOUPE_PRETRAINED_SHA256, so it is not used`,
      `Put the official ${name} there, or change its pin if Ultralytics published a new version.`,
    );
  }
}
