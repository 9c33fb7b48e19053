import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AppError, notFound } from '../http/app-error';
import type { BlobRepository } from '../repositories/blob.repository';
import {
  BlobTooLargeError,
  type BlobStore,
  type ChunkInspector,
  type StoredBlob,
} from '../repositories/blob-store';
import type { Clock } from './clock';
import { proveDecodable } from './image-decode';
import { PixelLimit } from './image-size';
import { sniffImageType } from './media-type';

export type BlobKind = 'image' | 'artifact';

/** Stores uploads by content: a blob is kept only when its bytes hash to the name it was sent as. */
export type StoredFile = {
  sha256: string;
  bytes: number;
  mediaType: string;
  /** `end` is inclusive. */
  read(range?: { start: number; end: number }): Readable;
};

export class BlobService {
  constructor(
    private readonly store: BlobStore,
    private readonly blobs: BlobRepository,
    private readonly clock: Clock,
    private readonly maxBytes: number,
    /** LOUPE_MAX_IMAGE_PIXELS: what an image header may declare (decompression bombs). */
    readonly maxImagePixels: number,
  ) {}

  missing(sha256s: string[]) {
    return this.blobs.missing([...new Set(sha256s)]);
  }

  has(sha256: string) {
    return this.blobs.has(sha256);
  }

  get(sha256: string) {
    return this.blobs.get(sha256);
  }

  /** Receives an image whose name (SHA-256) the client already knows. */
  async putImage(expectedSha256: string, body: Readable | null) {
    if (this.blobs.has(expectedSha256)) {
      body?.resume();
      return { sha256: expectedSha256, created: false };
    }
    const pixels = new PixelLimit(this.maxImagePixels, 'the image');
    const stored = await this.receive(body, pixels.push);
    await this.keepImage(expectedSha256, stored, pixels);
    return { sha256: stored.sha256, created: true };
  }

  /**
   * Takes an image that arrived elsewhere on this disk (a finished resumable upload), checked
   * exactly as putImage checks a PUT, and renames it into the store; refused, it is deleted.
   */
  async adoptImage(expectedSha256: string, path: string) {
    if (this.blobs.has(expectedSha256)) {
      await this.store.discard(path);
      return { sha256: expectedSha256, created: false };
    }
    const pixels = new PixelLimit(this.maxImagePixels, 'the image');
    let stored;
    try {
      stored = await this.store.measure(path, this.maxBytes, pixels.push);
    } catch (error) {
      await this.store.discard(path);
      throw error instanceof BlobTooLargeError ? this.tooLarge() : error;
    }
    await this.keepImage(expectedSha256, stored, pixels);
    return { sha256: stored.sha256, created: true };
  }

  /** Commits a received image if it hashes to its name and is an image; else deletes it. */
  private async keepImage(
    expectedSha256: string,
    stored: StoredBlob & { tmpPath: string },
    pixels: PixelLimit,
  ) {
    if (stored.sha256 !== expectedSha256) {
      await this.store.discard(stored.tmpPath);
      throw new AppError(
        400,
        'hash_mismatch',
        `the uploaded bytes hash to ${stored.sha256}, not ${expectedSha256}`,
        'The file changed or was cut short on the way; upload it again.',
      );
    }
    const mediaType = sniffImageType(stored.head);
    if (!mediaType) {
      await this.store.discard(stored.tmpPath);
      throw new AppError(415, 'not_an_image', 'the upload is not a JPEG, PNG or WebP image');
    }
    try {
      pixels.end(); // a file shorter than a header is judged only now
      await proveDecodable(stored.tmpPath, this.maxImagePixels);
    } catch (error) {
      await this.store.discard(stored.tmpPath);
      throw error;
    }
    await this.commit(stored.tmpPath, stored.sha256, stored.bytes, mediaType);
  }

  /**
   * Receives a file whose hash is computed here (a runner's artifact, a user's base weights).
   * `accept` sees the hash before the file is kept and throws to refuse it; nothing is stored then.
   */
  async putArtifact(
    body: Readable | null,
    mediaType: string,
    accept: (file: { sha256: string; bytes: number }) => void = () => {},
    /** A file the operator put on the server's disk is not an upload: no upload limit. */
    maxBytes = this.maxBytes,
  ) {
    const stored = await this.receive(body, undefined, maxBytes);
    try {
      if (stored.bytes === 0) throw new AppError(400, 'empty_upload', 'the uploaded file is empty');
      accept(stored);
    } catch (error) {
      await this.store.discard(stored.tmpPath);
      throw error;
    }
    if (this.blobs.has(stored.sha256)) await this.store.discard(stored.tmpPath);
    else await this.commit(stored.tmpPath, stored.sha256, stored.bytes, mediaType);
    return { sha256: stored.sha256, bytes: stored.bytes };
  }

  /** Reads a small blob whole (metadata JSON); images and models are streamed instead. */
  async readSmall(sha256: string, limit = 1024 * 1024) {
    const blob = this.blobs.get(sha256);
    if (!blob) throw notFound('blob', sha256);
    if (blob.bytes > limit) throw new AppError(413, 'too_large', `blob ${sha256} is too large`);
    return readFile(this.store.pathOf(sha256));
  }

  /** A stored blob; its bytes are read only when `read` is called (whole, or one range). */
  open(sha256: string): StoredFile {
    const blob = this.blobs.get(sha256);
    if (!blob) throw notFound('blob', sha256);
    return { ...blob, read: (range) => this.store.open(sha256, range) };
  }

  private async receive(body: Readable | null, inspect?: ChunkInspector, maxBytes = this.maxBytes) {
    if (!body) throw new AppError(400, 'empty_upload', 'the request has no body');
    try {
      return await this.store.receive(body, maxBytes, inspect);
    } catch (error) {
      throw error instanceof BlobTooLargeError ? this.tooLarge() : error;
    }
  }

  private tooLarge() {
    return new AppError(
      413,
      'too_large',
      `the upload is larger than ${this.maxBytes} bytes`,
      'Resize the image before adding it, or raise LOUPE_MAX_BLOB_BYTES on the server.',
    );
  }

  private async commit(tmpPath: string, sha256: string, bytes: number, mediaType: string) {
    await this.store.commit(tmpPath, sha256);
    this.blobs.insert(sha256, bytes, mediaType, this.clock.now().toISOString());
  }
}
