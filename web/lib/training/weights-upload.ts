import { unwrap } from '$lib/api/api-error';
import { getToken } from '$lib/auth/session';

/** What PUT /api/weights answers for weights on the server's allowlist. */
export type UploadedWeightsFile = { sha256: string; bytes: number };

/**
 * Uploads a base .pt for fine-tuning. XMLHttpRequest rather than fetch, because only it reports
 * upload progress. The server keeps the file only when its SHA-256 is on the operator's
 * allowlist; a refusal comes back as an ApiRequestError with the server's own words.
 */
export function uploadWeights<T = UploadedWeightsFile>(
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
  /** Where to: an official pretrained file goes to /api/weights/pretrained/<its name>. */
  path = '/api/weights',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    const token = getToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    // The same reading of the answer as every other API call (unwrap), refusals included.
    xhr.onload = () => {
      const answer = new Response(xhr.responseText, { status: xhr.status });
      void unwrap<T>(answer).then(resolve, reject);
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
