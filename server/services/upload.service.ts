import { Server, type Upload } from '@tus/server';
import { Sha256 } from '../contract';
import { AppError } from '../http/app-error';
import type { UploadStore } from '../repositories/upload-store';
import type { BlobService } from './blob.service';

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

/**
 * Resumable image uploads (the tus protocol, tus.io): the client declares the image's size and
 * SHA-256 (Upload-Metadata `sha256`), sends its bytes in as many requests as it takes, and asks
 * the server where it stopped after any interruption. A finished upload is checked exactly as
 * PUT /api/blobs checks one and moved into the blob store, or deleted with the reason.
 */
export class UploadService {
  private readonly tus: Server;

  constructor(
    private readonly store: UploadStore,
    private readonly blobs: BlobService,
    maxBytes: number,
  ) {
    this.tus = new Server({
      path: UPLOADS_PATH,
      datastore: store,
      maxSize: maxBytes,
      relativeLocation: true,
      onUploadCreate: async (_req, upload) => {
        this.declaredSha256(upload);
        if (upload.sizeIsDeferred) {
          throw tusError(
            new AppError(400, 'length_required', 'the upload must declare its length up front'),
          );
        }
        return {};
      },
      onUploadFinish: async (_req, upload) => {
        await this.adopt(upload).catch(rethrowForTus);
        return {};
      },
    });
  }

  handle(request: Request): Promise<Response> {
    return this.tus.handleWeb(request);
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
