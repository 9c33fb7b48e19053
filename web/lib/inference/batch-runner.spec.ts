import { describe, expect, it } from 'vitest';
import { runBatch, runEach, type BatchItem } from './batch-runner';
import { InferenceError, type TaskResult } from './types';

const result = (n: number): TaskResult => ({
  task: 'classify',
  top: [{ classIndex: n, className: `c${n}`, confidence: 1 }],
  timings: { preMs: 0, inferenceMs: 0, postMs: 0 },
  backend: 'wasm',
  imageWidth: 1,
  imageHeight: 1,
});

const items = (n: number): BatchItem<number>[] =>
  Array.from({ length: n }, (_, key) => ({ key, read: async () => new Blob([String(key)]) }));

function fakeClient(fail: Set<number> = new Set()) {
  const seen: number[] = [];
  return {
    seen,
    async run(image: Blob | ImageBitmap) {
      const key = Number(await (image as Blob).text());
      seen.push(key);
      if (fail.has(key)) throw new InferenceError('bad-image', `image ${key} is broken`);
      return result(key);
    },
  };
}

describe('runBatch', () => {
  it('runs every image in order and reports progress after each', async () => {
    const client = fakeClient();
    const progress: string[] = [];
    const out = await runBatch(client, items(3), {
      onProgress: (p) => progress.push(`${p.done}/${p.total}`),
    });
    expect(client.seen).toEqual([0, 1, 2]);
    expect(
      out.map((r) => r.ok && r.result.task === 'classify' && r.result.top[0]!.classIndex),
    ).toEqual([0, 1, 2]);
    expect(progress).toEqual(['0/3', '1/3', '2/3', '3/3']);
  });

  it('records a failed image and goes on', async () => {
    const progress: number[] = [];
    const out = await runBatch(fakeClient(new Set([1])), items(3), {
      onProgress: (p) => progress.push(p.failed),
    });
    expect(out.map((r) => r.ok)).toEqual([true, false, true]);
    expect(out[1]).toMatchObject({ ok: false, error: { code: 'bad-image' } });
    expect(progress.at(-1)).toBe(1);
  });

  it('stops when the signal aborts, without reading further images', async () => {
    const controller = new AbortController();
    const client = fakeClient();
    const batch = runBatch(client, items(5), {
      signal: controller.signal,
      onResult: (r) => r.key === 1 && controller.abort(),
    });
    await expect(batch).rejects.toMatchObject({ code: 'aborted' });
    expect(client.seen).toEqual([0, 1]);
  });
});

describe('runBatch over pages', () => {
  it('asks for the next page only when the previous one is done, and can drop answers', async () => {
    const client = fakeClient();
    const asked: number[] = [];
    const source = {
      total: 5,
      async *pages() {
        for (const page of [items(3), items(5).slice(3)]) {
          asked.push(client.seen.length);
          yield page;
        }
      },
    };
    const seen: number[] = [];
    const progress: string[] = [];
    const out = await runBatch(client, source, {
      collect: false,
      onResult: (r) => seen.push(r.key),
      onProgress: (p) => progress.push(`${p.done}/${p.total}`),
    });
    expect(out).toEqual([]);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(asked).toEqual([0, 3]);
    expect(progress.at(-1)).toBe('5/5');
  });
});

describe('runEach', () => {
  it("hands each image's key to the work with its bytes, and keeps going past a failure", async () => {
    const out = await runEach(items(3), async (blob, key) => {
      if (key === 1) throw new InferenceError('bad-image', 'broken');
      return `${key}:${await blob.text()}`;
    });
    expect(out.map((r) => (r.ok ? r.result : r.error.code))).toEqual(['0:0', 'bad-image', '2:2']);
  });
});
