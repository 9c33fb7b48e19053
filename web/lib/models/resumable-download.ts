/**
 * A model file download that survives a cut connection: the bytes received so far stay in
 * memory, and the next request asks only for the rest (`Range: bytes=<received>-`) on condition
 * that the file is still the same one (`If-Range: <etag>`, the server's ETag is the file's hash).
 * A server that answers 200 instead sends the whole file, and the download starts over.
 * Bytes are never written to storage here: only verified files are stored, by the caller.
 */
import { authorizedFetch } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';

export type DownloadProgress = { received: number; total: number };

/** The download stopped (network gone, connection cut); `received` bytes are kept to resume. */
export class DownloadInterrupted extends Error {
  override readonly name = 'DownloadInterrupted';
  constructor(
    readonly received: number,
    readonly total: number,
    cause: unknown,
  ) {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    super(
      `The download stopped at ${mb(received)} of ${mb(total)} MB (${String(cause)}); ` +
        'it resumes from there when the connection is back.',
    );
  }
}

/** Headers for the next request: the rest of the file, if it is still the same file. */
export function resumeHeaders(received: number, etag: string | null): Record<string, string> {
  if (received === 0) return {};
  return etag ? { range: `bytes=${received}-`, 'if-range': etag } : {};
}

/**
 * How to use a response to a (possibly ranged) request: append its body to the bytes already
 * held, or start over with it. A 206 that does not start where we stopped cannot be used.
 */
export function resumeAction(
  status: number,
  contentRange: string | null,
  received: number,
): 'append' | 'restart' {
  if (status === 200) return 'restart';
  const start = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange ?? '')?.[1];
  if (status === 206 && start !== undefined && Number(start) === received) return 'append';
  throw new Error(
    `the server answered ${status} (${contentRange ?? 'no Content-Range'}) to a request for ` +
      `the bytes from ${received} on; try again`,
  );
}

/** Tries that bring no new byte, in a row, before the download gives up for now. */
const ATTEMPTS_WITHOUT_PROGRESS = 3;

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** The network; tests pass the server's own app.request or inject a fault. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export class ResumableDownload {
  private chunks: Uint8Array[] = [];
  private received = 0;

  /**
   * `etag` and `total`: what the file is known to be, or null to take them from the first
   * answer (its ETag and Content-Length).
   */
  constructor(
    readonly url: string,
    private etag: string | null,
    private total: number | null,
  ) {}

  get progress(): DownloadProgress {
    return { received: this.received, total: this.total ?? 0 };
  }

  /** Resolves with the whole file; rejects with DownloadInterrupted, keeping what arrived. */
  async run(options: DownloadOptions = {}): Promise<Blob> {
    const { signal, onProgress = () => {}, fetch = authorizedFetch } = options;
    let fruitless = 0;
    for (;;) {
      signal?.throwIfAborted();
      const before = this.received;
      try {
        await this.attempt(fetch, signal, onProgress);
        return new Blob(this.chunks as BlobPart[], { type: 'application/octet-stream' });
      } catch (error) {
        // Aborts and answers the server refused (404, 416) are final; a broken connection is not.
        if (signal?.aborted || !(error instanceof TypeError)) throw error;
        fruitless = this.received > before ? 0 : fruitless + 1;
        if (fruitless >= ATTEMPTS_WITHOUT_PROGRESS) {
          throw new DownloadInterrupted(this.received, this.total ?? 0, error.message);
        }
      }
    }
  }

  /** One request; resolves once every byte is here, throws a TypeError when cut short. */
  private async attempt(
    fetch: NonNullable<DownloadOptions['fetch']>,
    signal: AbortSignal | undefined,
    onProgress: (progress: DownloadProgress) => void,
  ): Promise<void> {
    const response = await fetch(this.url, {
      headers: resumeHeaders(this.received, this.etag),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok || !response.body) await unwrap(response);
    const action = resumeAction(
      response.status,
      response.headers.get('content-range'),
      this.received,
    );
    if (action === 'restart') {
      this.chunks = [];
      this.received = 0;
      this.total ??= Number(response.headers.get('content-length') ?? 0);
      this.etag ??= response.headers.get('etag');
    }
    const reader = response.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      this.chunks.push(value);
      this.received += value.length;
      onProgress(this.progress);
    }
    const expected = this.total ?? this.received;
    if (this.received > expected) {
      const sent = this.received;
      this.chunks = [];
      this.received = 0;
      throw new Error(`the server sent ${sent} bytes where ${expected} were expected; try again`);
    }
    // Like a dropped connection (fetch's own TypeError), so it is resumed, not given up on.
    if (this.received < expected) throw new TypeError('the connection closed before the end');
  }
}
