import type { Readable } from 'node:stream';
import { Server, type Upload } from '@tus/server';
import { Sha256 } from '../contract';
import { AppError } from '../http/app-error';
import type { UploadStore } from '../repositories/upload-store';
import type { BlobService } from './blob.service';
import { PixelLimit } from './image-size';
import { asApiRefusal } from './tus-refusals';

/** Where the tus protocol is served; Location headers are built from it. */
export const UPLOADS_PATH = '/api/uploads';

/** tus answers a hook's thrown `{ status_code, body }`; the body is our usual error JSON. */
const tusError = (error: AppError) => ({
  status_code: error.status,
  body: JSON.stringify(error.toBody()),
});

const rethrowForTus = (error: unknown): never => {
  throw error instanceof AppError ? tusError(error) : error;
};

/** An AppError raised inside a tus write: tus answers an error's `status_code` and `body`. */
class TusRefusal extends Error {
  readonly status_code: number;
  readonly body: string;
  constructor(error: AppError) {
    super(error.message);
    ({ status_code: this.status_code, body: this.body } = tusError(error));
  }
}

/** Feeds `limit` the first `bytes` of `stream` (what an upload held before a restart). */
async function replay(stream: Readable, bytes: number, limit: PixelLimit) {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    limit.push(chunk.subarray(0, Math.max(0, bytes - limit.seen)));
    if (limit.done || limit.seen >= bytes) break;
  }
  stream.destroy();
}

/**
 * Resumable image uploads (the tus protocol, tus.io): the client declares the image's size and
 * SHA-256 (Upload-Metadata `sha256`), sends its bytes in as many requests as it takes, and asks
 * the server where it stopped after any interruption. A finished upload is checked exactly as
 * PUT /api/blobs checks one and moved into the blob store, or deleted with the reason.
 */
export class UploadService {
  private readonly tus: Server;
  /** The pixel check of each unfinished upload, carried from one PATCH to the next. */
  private readonly pixels = new Map<string, PixelLimit>();

  constructor(
    private readonly store: UploadStore,
    private readonly blobs: BlobService,
    private readonly maxBytes: number,
  ) {
    this.tus = new Server({
      path: UPLOADS_PATH,
      datastore: store,
      maxSize: maxBytes,
      relativeLocation: true,
      onUploadCreate: async (_req, upload) => {
        const sha256 = this.declaredSha256(upload);
        if (upload.sizeIsDeferred) {
          throw tusError(
            new AppError(400, 'length_required', 'the upload must declare its length up front'),
          );
        }
        // Nothing to send: answered as PUT /api/blobs answers a blob it has (200, not created),
        // with no upload made. The web client takes this 200 as the upload's success.
        if (this.blobs.has(sha256)) {
          throw { status_code: 200, body: JSON.stringify({ sha256, created: false }) };
        }
        return {};
      },
      onUploadFinish: async (_req, upload) => {
        await this.adopt(upload).catch(rethrowForTus);
        return {};
      },
    });
    store.inspectWrites((id, offset) => this.pixelCheck(id, offset));
  }

  /**
   * LOUPE_MAX_IMAGE_PIXELS while the bytes arrive: refused at the chunk that completes an
   * oversized header. A check lost to a restart (or out of step) is rebuilt from the bytes held.
   */
  private async pixelCheck(id: string, offset: number) {
    let limit = this.pixels.get(id);
    if (!limit || limit.seen !== offset) {
      limit = new PixelLimit(this.blobs.maxImagePixels, 'the image');
      this.pixels.set(id, limit);
      if (offset > 0) await replay(this.store.read(id), offset, limit).catch(this.refuse(id));
    }
    if (limit.done) return null;
    const check = limit;
    return (chunk: Buffer) => {
      try {
        check.push(chunk);
      } catch (error) {
        this.pixels.delete(id);
        throw error instanceof AppError ? new TusRefusal(error) : error;
      }
    };
  }

  private refuse(id: string) {
    return async (error: unknown) => {
      this.pixels.delete(id);
      await this.store.forget(id);
      throw error instanceof AppError ? new TusRefusal(error) : error;
    };
  }

  async handle(request: Request): Promise<Response> {
    return asApiRefusal(await this.tus.handleWeb(request), this.maxBytes);
  }

  /**
   * Adopts uploads that finished but were never moved into the store (the server died between
   * the last byte and the check), so the client that sees its upload complete finds the blob.
   */
  async recover(): Promise<number> {
    let adopted = 0;
    for (const id of await this.store.ids()) {
      const upload = await this.store.getUpload(id).catch(() => null);
      if (!upload) await this.store.forget(id);
      else if (upload.size !== undefined && upload.offset === upload.size) {
        await this.adopt(upload).catch(() => undefined);
        adopted += 1;
      }
    }
    return adopted;
  }

  /** Deletes unfinished uploads older than LOUPE_UPLOAD_EXPIRY_HOURS. */
  expire(): Promise<number> {
    return this.tus.cleanUpExpiredUploads();
  }

  /** Expires now and then every `ms`; returns the stop function. */
  expireEvery(ms: number): () => void {
    const run = () =>
      void this.expire().catch((e: unknown) => console.error('server: upload expiry failed', e));
    run();
    const timer = setInterval(run, ms);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async adopt(upload: Upload) {
    try {
      const path = upload.storage?.path;
      if (!path) throw new Error(`upload ${upload.id} has no file`);
      return await this.blobs.adoptImage(this.declaredSha256(upload), path);
    } finally {
      this.pixels.delete(upload.id);
      await this.store.forget(upload.id);
    }
  }

  private declaredSha256(upload: Upload): string {
    const parsed = Sha256.safeParse(upload.metadata?.sha256);
    if (parsed.success) return parsed.data;
    throw tusError(
      new AppError(
        400,
        'missing_sha256',
        'the upload does not declare the SHA-256 of its bytes',
        'Send Upload-Metadata "sha256 <base64 of the lower-case hex hash>".',
      ),
    );
  }
}
