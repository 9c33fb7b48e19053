// Sends one image with the tus resumable-upload protocol (tus-js-client): the bytes go in
// chunks, and after any interruption (network gone, server restarted, tab reloaded) the client
// asks the server how much it holds and sends only the rest. The upload's URL is kept in
// localStorage under the image's hash, so a reloaded page finds and resumes it.
import { Upload, type DetailedError } from 'tus-js-client';
import { ApiError } from '$contract';
import { ApiRequestError } from '$lib/api/api-error';
import { getToken } from '$lib/auth/session';

export const UPLOADS_ENDPOINT = '/api/uploads';

/** Big enough that the per-request cost is small, small enough for strict proxies. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Short retries ride out a blip; longer outages are the queue's to wait out. */
export const RETRY_DELAYS = [0, 1000, 3000];

/** The network failed (offline, or the server is unreachable); nothing the user must fix. */
export class NetworkLostError extends Error {
  constructor(cause?: unknown) {
    super('The connection to the server was lost; the upload continues where it stopped.', {
      cause,
    });
    this.name = 'NetworkLostError';
  }
}

/** The server's own explanation when it answered; a network loss when it did not. */
function explain(error: Error | DetailedError): Error {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  if (!response || response.getStatus() === 0) return new NetworkLostError(error);
  const status = response.getStatus();
  let body: unknown = null;
  try {
    body = JSON.parse(response.getBody());
  } catch {
    // tus' own errors are plain text
  }
  const parsed = ApiError.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiRequestError(status, e.code, e.message, e.hint, e.details);
  }
  const text = response.getBody().trim() || `the server answered ${status}`;
  return new ApiRequestError(status, 'upload_refused', text);
}

export interface UploadOptions {
  /** Bytes of this image the server holds so far. */
  onBytes?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

/** Uploads `blob` under its SHA-256; resolves once the server checked and stored it. */
export function uploadImage(sha256: string, blob: Blob, o: UploadOptions = {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const token = getToken();
    const upload = new Upload(blob, {
      endpoint: UPLOADS_ENDPOINT,
      metadata: { sha256, filetype: blob.type || 'application/octet-stream' },
      headers: token ? { authorization: `Bearer ${token}` } : {},
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS,
      // The default fingerprint uses the file's name and date, which a stored Blob lacks.
      fingerprint: () => Promise.resolve(`loupe-upload-${sha256}`),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      // The server answers 200 (not 201) to a new upload of an image it already holds: done,
      // with no byte sent. tus-js-client would call that a bad answer and retry it.
      onAfterResponse: (req, res) => {
        if (req.getMethod() !== 'POST' || res.getStatus() !== 200) return;
        o.onBytes?.(blob.size, blob.size);
        void upload.abort(false);
        resolve();
      },
      onProgress: (sent, total) => o.onBytes?.(sent, total),
      onSuccess: () => resolve(),
      onError: (error) => reject(explain(error)),
    });
    o.signal?.addEventListener('abort', () => {
      // Keeps what the server received, so a later try resumes from there.
      void upload.abort(false);
      reject(o.signal?.reason instanceof Error ? o.signal.reason : new Error('cancelled'));
    });
    void upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch((error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
  });
}
