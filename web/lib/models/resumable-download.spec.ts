/**
 * The resumable download against the real server's model route (real SQLite, real blob store,
 * Range and If-Range as the server answers them); the only stand-in is the network fault: a
 * connection that breaks after a number of bytes.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApi,
  registerModel,
  seedVersion,
  sha256Of,
  type TestApi,
} from '../../../server/testing/test-server';
import {
  DownloadInterrupted,
  ResumableDownload,
  resumeAction,
  resumeHeaders,
  type DownloadProgress,
} from './resumable-download';

describe('resume offsets', () => {
  it('asks for the rest of the file, only if it is still the same file', () => {
    expect(resumeHeaders(0, '"abc"')).toEqual({});
    expect(resumeHeaders(1000, '"abc"')).toEqual({ range: 'bytes=1000-', 'if-range': '"abc"' });
    // Without a validator a partial answer could splice two different files: start over.
    expect(resumeHeaders(1000, null)).toEqual({});
  });

  it('appends a 206 that starts where it stopped, restarts on a 200, refuses any other', () => {
    expect(resumeAction(206, 'bytes 1000-4999/5000', 1000)).toBe('append');
    expect(resumeAction(200, null, 1000)).toBe('restart');
    expect(() => resumeAction(206, 'bytes 0-4999/5000', 1000)).toThrow(/bytes from 1000 on/);
    expect(() => resumeAction(206, null, 1000)).toThrow(/no Content-Range/);
  });
});

/** A network whose connection breaks after `cutAfter` bytes of the next `cuts` responses. */
function flakyNetwork(t: TestApi, cutAfter: number, cuts: number) {
  const requests: Record<string, string>[] = [];
  let left = cuts;
  const fetch = async (url: string, init: RequestInit) => {
    requests.push({ ...(init.headers as Record<string, string>) });
    const response = await t.user(url, init);
    if (left === 0 || !response.body) return response;
    left--;
    let sent = 0;
    const reader = response.body.getReader();
    const cut = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) return controller.close();
        if (sent + value.length > cutAfter) {
          controller.enqueue(value.slice(0, cutAfter - sent));
          controller.error(new TypeError('network error'));
          return;
        }
        sent += value.length;
        controller.enqueue(value);
      },
    });
    return new Response(cut, { status: response.status, headers: response.headers });
  };
  return { fetch, requests };
}

describe('ResumableDownload against the server', () => {
  let t: TestApi;
  let modelId: string;
  const onnx = new Uint8Array(randomBytes(300_000));
  const sha = sha256Of(onnx);

  beforeEach(async () => {
    t = await createTestApi();
    const version = await seedVersion(t);
    ({ modelVersionId: modelId } = await registerModel(t, version.id, { onnx }));
  });
  afterEach(() => t.close());

  const url = () => `/api/models/${modelId}/model.onnx`;
  const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

  it('resumes a cut download from the bytes it has, with Range and If-Range', async () => {
    const net = flakyNetwork(t, 100_000, 1);
    const seen: DownloadProgress[] = [];
    const blob = await new ResumableDownload(url(), `"${sha}"`, onnx.length).run({
      fetch: net.fetch,
      onProgress: (p) => seen.push(p),
    });
    expect(await bytesOf(blob)).toEqual(onnx);
    expect(net.requests).toHaveLength(2);
    expect(net.requests[1]).toEqual({ range: 'bytes=100000-', 'if-range': `"${sha}"` });
    // Progress never went back: the second request only carried the rest.
    expect(seen.at(-1)).toEqual({ received: onnx.length, total: onnx.length });
    expect(seen.every((p, i) => i === 0 || p.received >= seen[i - 1]!.received)).toBe(true);
  });

  it('starts over when the file changed (If-Range does not match: the server sends it all)', async () => {
    const net = flakyNetwork(t, 50_000, 1);
    const blob = await new ResumableDownload(url(), '"another-file"', onnx.length).run({
      fetch: net.fetch,
    });
    expect(await bytesOf(blob)).toEqual(onnx);
    expect(net.requests[1]).toMatchObject({ range: 'bytes=50000-' });
  });

  it('gives up for now after tries that bring nothing, keeping the bytes to resume later', async () => {
    const download = new ResumableDownload(url(), `"${sha}"`, onnx.length);
    const cut = flakyNetwork(t, 120_000, 1);
    const offline = async () => {
      throw new TypeError('Failed to fetch');
    };
    let calls = 0;
    const error = await download
      .run({ fetch: (u, i) => (calls++ === 0 ? cut.fetch(u, i) : offline()) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadInterrupted);
    expect((error as DownloadInterrupted).received).toBe(120_000);
    expect((error as Error).message).toMatch(/stopped at 0.1 of 0.3 MB/);
    // Back online: the same download finishes from byte 120000.
    const net = flakyNetwork(t, 0, 0);
    expect(await bytesOf(await download.run({ fetch: net.fetch }))).toEqual(onnx);
    expect(net.requests).toEqual([{ range: 'bytes=120000-', 'if-range': `"${sha}"` }]);
  });

  it('stops at once when cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    const download = new ResumableDownload(url(), `"${sha}"`, onnx.length);
    await expect(
      download.run({ fetch: async (u, i) => t.user(u, i), signal: abort.signal }),
    ).rejects.toThrow();
  });
});
