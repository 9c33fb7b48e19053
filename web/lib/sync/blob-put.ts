// One image in one request: `PUT /api/blobs/:sha256` with the image as the body. The server
// streams it to disk while hashing, sniffing and checking its declared pixels, exactly as it
// checks a finished tus upload, so the cheap path is not the lax one. XMLHttpRequest, not fetch,
// because fetch reports no upload progress.
import { api } from '$lib/api/client';
import { getToken } from '$lib/auth/session';
import { cancelled, explainAnswer } from './upload-errors';

/** Short retries ride out a blip; longer outages are the queue's to wait out. */
export const RETRY_DELAYS = [0, 1000, 3000];

/** Answers worth sending again: no answer at all, or a proxy or server that was briefly gone. */
const TRANSIENT = new Set([0, 502, 503, 504]);

export interface UploadOptions {
  /** Bytes of this image sent (PUT) or held by the server (tus) so far. */
  onBytes?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

type Answer = { status: number; body: string };

function send(sha256: string, blob: Blob, o: UploadOptions): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('PUT', `/api/blobs/${sha256}`);
    const token = getToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', blob.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => o.onBytes?.(e.loaded, blob.size);
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, body: '' });
    xhr.onabort = () => reject(cancelled(o.signal));
    xhr.onloadend = () => o.signal?.removeEventListener('abort', abort);
    o.signal?.addEventListener('abort', abort, { once: true });
    xhr.send(blob);
  });
}

function wait(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(cancelled(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Whether the server still lacks the image. Asked before a retry: a PUT whose answer was lost
 * may have been stored, and then its bytes need not travel again. When the question itself
 * fails, the PUT that follows finds out why.
 */
async function stillMissing(sha256: string, signal?: AbortSignal) {
  try {
    const res = await api.blobs.missing.$post(
      { json: { sha256s: [sha256] } },
      { init: { signal } },
    );
    return !res.ok || (await res.json()).missing.includes(sha256);
  } catch {
    if (signal?.aborted) throw cancelled(signal);
    return true;
  }
}

/** Sends `blob` under its SHA-256 in one request; resolves once the server checked and kept it. */
export async function putImage(sha256: string, blob: Blob, o: UploadOptions = {}): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) throw cancelled(o.signal);
    if (attempt > 0 && !(await stillMissing(sha256, o.signal))) break;
    const answer = await send(sha256, blob, o);
    if (answer.status === 200 || answer.status === 201) break;
    // A cut request left nothing on the server: the next try starts from the first byte.
    o.onBytes?.(0, blob.size);
    const delay = RETRY_DELAYS[attempt];
    if (!TRANSIENT.has(answer.status) || delay === undefined) {
      throw explainAnswer(answer.status, answer.body);
    }
    await wait(delay, o.signal);
  }
  o.onBytes?.(blob.size, blob.size);
}
