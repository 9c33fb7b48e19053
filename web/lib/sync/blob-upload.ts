// Sends one image to the server's blob store by the cheaper of two paths. An image no larger
// than one tus chunk goes in ONE plain PUT (blob-put.ts): tus would spend two requests and
// twice the server's file work on it, and cut short it costs at most one chunk to send again,
// about what tus repeats of a chunk in flight. A larger image goes with the tus resumable
// protocol (tus-js-client): its bytes go in chunks, and after any interruption (network gone,
// server restarted, tab reloaded) the client asks the server how much it holds and sends only
// the rest. The tus upload's URL is kept in localStorage under the image's hash, so a reloaded
// page finds and resumes it.
import { Upload, type DetailedError } from 'tus-js-client';
import { getToken } from '$lib/auth/session';
import { putImage, RETRY_DELAYS, type UploadOptions } from './blob-put';
import { cancelled, explainAnswer } from './upload-errors';

export { RETRY_DELAYS, type UploadOptions };

export const UPLOADS_ENDPOINT = '/api/uploads';

/** Big enough that the per-request cost is small, small enough for strict proxies. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Images up to this size go in one PUT; larger ones with tus, which resumes mid-file. */
export const SINGLE_REQUEST_MAX_BYTES = CHUNK_BYTES;

export const isResumableSize = (bytes: number) => bytes > SINGLE_REQUEST_MAX_BYTES;

/** The server's own explanation when it answered; a network loss when it did not. */
function explain(error: Error | DetailedError): Error {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  if (!response) return explainAnswer(0, '', error);
  return explainAnswer(response.getStatus(), response.getBody(), error);
}

function tusUpload(sha256: string, blob: Blob, o: UploadOptions): Promise<void> {
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
      reject(cancelled(o.signal));
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

/** Uploads `blob` under its SHA-256; resolves once the server checked and stored it. */
export function uploadImage(sha256: string, blob: Blob, o: UploadOptions = {}): Promise<void> {
  return isResumableSize(blob.size) ? tusUpload(sha256, blob, o) : putImage(sha256, blob, o);
}
