import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '$contract';
import type { BackendChoice, BackendRequest } from './backend-choice';
import { createInferenceClient } from './inference-client';
import { InferenceError, type DetectResult, type LoadedModel, type WorkerReply } from './types';
import type { InferenceWorkerApi } from './worker/inference.worker';

/**
 * A stand-in Worker: comlink talks over a MessageChannel to `api` in this same thread. Only
 * ArrayBuffers are transferred, because Node has no ImageBitmap.
 */
function fakeWorker(api: Partial<InferenceWorkerApi>) {
  const { port1, port2 } = new MessageChannel();
  expose(api, port2 as unknown as Parameters<typeof expose>[1]);
  const events = new EventTarget();
  const worker = {
    terminated: false,
    postMessage(message: unknown, transfer: Transferable[] = []) {
      port1.postMessage(
        message,
        transfer.filter((t) => t instanceof ArrayBuffer),
      );
    },
    addEventListener(type: string, listener: EventListener) {
      if (type === 'message') port1.addEventListener(type, listener as never);
      else events.addEventListener(type, listener);
    },
    removeEventListener(type: string, listener: EventListener) {
      if (type === 'message') port1.removeEventListener(type, listener as never);
      else events.removeEventListener(type, listener);
    },
    start: () => port1.start(),
    terminate() {
      this.terminated = true;
      port1.close();
    },
    crash: () => events.dispatchEvent(Object.assign(new Event('error'), { message: 'boom' })),
  };
  return worker;
}

const metadata = { task: 'detect', classNames: ['a'], inputName: 'images' } as ModelMetadata;
const loaded = { backend: 'wasm', task: 'detect' } as LoadedModel;
const ok = <T>(value: T): WorkerReply<T> => ({ ok: true, value });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fakeBitmap = () => ({ width: 1, height: 1 }) as unknown as ImageBitmap;

describe('createInferenceClient', () => {
  it('loads a model, transferring its bytes', async () => {
    const workers: ReturnType<typeof fakeWorker>[] = [];
    const client = createInferenceClient(() => {
      const w = fakeWorker({ load: async (model) => ok({ ...loaded, loadMs: model.byteLength }) });
      workers.push(w);
      return w as unknown as Worker;
    });
    const bytes = new ArrayBuffer(8);
    await expect(client.loadModel(bytes, metadata)).resolves.toMatchObject({ loadMs: 8 });
    expect(bytes.byteLength).toBe(0);
    expect(workers).toHaveLength(1);
    client.dispose();
  });

  it('turns a worker error reply into an InferenceError with its code', async () => {
    const client = createInferenceClient(
      () =>
        fakeWorker({
          load: async () => ({
            ok: false,
            error: { code: 'unsupported-task', message: 'segment models are not supported yet' },
          }),
        }) as unknown as Worker,
    );
    const error = await client.loadModel(new ArrayBuffer(1), metadata).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect(error).toMatchObject({
      code: 'unsupported-task',
      message: 'segment models are not supported yet',
    });
    client.dispose();
  });

  it('runs calls one at a time, in call order', async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const client = createInferenceClient(
      () =>
        fakeWorker({
          detect: async (_image, options) => {
            running++;
            most = Math.max(most, running);
            await sleep(5);
            order.push(options?.maxDet ?? 0);
            running--;
            return ok({ detections: [] } as unknown as DetectResult);
          },
        }) as unknown as Worker,
    );
    await Promise.all([1, 2, 3].map((maxDet) => client.detect(fakeBitmap(), { maxDet })));
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3]);
    client.dispose();
  });

  it('drops a queued call whose signal aborts before its turn', async () => {
    const seen: number[] = [];
    const client = createInferenceClient(
      () =>
        fakeWorker({
          detect: async (_image, options) => {
            seen.push(options?.maxDet ?? 0);
            await sleep(5);
            return ok({ detections: [] } as unknown as DetectResult);
          },
        }) as unknown as Worker,
    );
    const controller = new AbortController();
    const first = client.detect(fakeBitmap(), { maxDet: 1 });
    const second = client.detect(fakeBitmap(), { maxDet: 2, signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    await first;
    await client.detect(fakeBitmap(), { maxDet: 3 });
    expect(seen).toEqual([1, 3]);
    client.dispose();
  });

  it('closes a cancelled ImageBitmap that never reached the worker', async () => {
    const client = createInferenceClient(
      () =>
        fakeWorker({
          detect: async () => ok({ detections: [] } as unknown as DetectResult),
        }) as unknown as Worker,
    );
    let closed = false;
    const bitmap = { width: 1, height: 1, close: () => (closed = true) } as unknown as ImageBitmap;
    const controller = new AbortController();
    controller.abort();
    await expect(client.detect(bitmap, { signal: controller.signal })).rejects.toMatchObject({
      code: 'aborted',
    });
    await client.detect(fakeBitmap()); // the queue has moved past the cancelled call
    expect(closed).toBe(true);
    client.dispose();
  });

  it('rejects in-flight and queued calls on dispose, then starts a fresh worker', async () => {
    const workers: ReturnType<typeof fakeWorker>[] = [];
    const client = createInferenceClient(() => {
      const w = fakeWorker({ load: () => new Promise(() => undefined) }); // never answers
      workers.push(w);
      return w as unknown as Worker;
    });
    const inFlight = client.loadModel(new ArrayBuffer(1), metadata);
    const queued = client.loadModel(new ArrayBuffer(1), metadata);
    await sleep(1);
    client.dispose();
    await expect(inFlight).rejects.toMatchObject({ code: 'disposed' });
    await expect(queued).rejects.toMatchObject({ code: 'disposed' });
    expect(workers[0]!.terminated).toBe(true);
    void client.loadModel(new ArrayBuffer(1), metadata);
    await sleep(1);
    expect(workers).toHaveLength(2);
    client.dispose();
  });

  it('reports a crashed worker and replaces it on the next call', async () => {
    const workers: ReturnType<typeof fakeWorker>[] = [];
    const client = createInferenceClient(() => {
      const w = fakeWorker({
        load: () =>
          workers.length === 1 ? new Promise(() => undefined) : Promise.resolve(ok(loaded)),
      });
      workers.push(w);
      return w as unknown as Worker;
    });
    const call = client.loadModel(new ArrayBuffer(1), metadata);
    await sleep(1);
    workers[0]!.crash();
    await expect(call).rejects.toMatchObject({ code: 'worker-failed', message: /stopped: boom/ });
    await expect(client.loadModel(new ArrayBuffer(1), metadata)).resolves.toMatchObject(loaded);
    expect(workers).toHaveLength(2);
    client.dispose();
  });
});

/** A backend-choice store in memory: the IndexedDB one is covered in $lib/db. */
function memoryStore() {
  const rows = new Map<string, BackendChoice>();
  return {
    rows,
    get: async (sha: string, device: string) => rows.get(`${sha}@${device}`),
    put: async (sha: string, device: string, choice: BackendChoice) => {
      rows.set(`${sha}@${device}`, choice);
    },
  };
}

describe('createInferenceClient: backend choice', () => {
  const sha = 'ab'.repeat(32);
  const gpuDevice = { device: 'gpu-1 | Chrome' };
  /** A worker whose load answers what the request asked for, as the real selector would. */
  function choosingWorker(requests: BackendRequest[], benchmarkWinner: BackendChoice) {
    return fakeWorker({
      probe: async () => gpuDevice,
      load: async (_model, _meta, options) => {
        const request = options as BackendRequest;
        requests.push(request);
        const choice = request.benchmark
          ? benchmarkWinner
          : (request.remembered ?? { backend: 'wasm' as const });
        return ok({ ...loaded, backend: choice.backend, choice });
      },
      run: async () =>
        ok({ task: 'detect', detections: [], fallbackReason: 'WebGPU failed: lost' } as never),
    }) as unknown as Worker;
  }

  it('benchmarks the first load of a model on a device and reuses the winner after', async () => {
    const store = memoryStore();
    const requests: BackendRequest[] = [];
    const winner: BackendChoice = {
      backend: 'webgpu',
      reason: 'faster on this device: 15 ms vs 90 ms',
      timings: { wasm: 90, webgpu: 15 },
    };
    const client = createInferenceClient(() => choosingWorker(requests, winner), {
      choices: store,
    });
    const first = await client.loadModel(new ArrayBuffer(4), metadata, { sha256: sha });
    expect(first.choice).toEqual(winner);
    expect(store.rows.get(`${sha}@${gpuDevice.device}`)).toEqual(winner);
    const second = await client.loadModel(new ArrayBuffer(4), metadata, { sha256: sha });
    expect(second.choice).toEqual(winner);
    expect(requests).toEqual([
      { backend: 'auto', benchmark: true },
      { backend: 'webgpu', remembered: winner },
    ]);
    client.dispose();
  });

  it('hashes the bytes itself when the caller does not know their SHA-256', async () => {
    const store = memoryStore();
    const client = createInferenceClient(() => choosingWorker([], { backend: 'wasm' }), {
      choices: store,
    });
    await client.loadModel(new TextEncoder().encode('abc').buffer, metadata);
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect([...store.rows.keys()]).toEqual([`${expected}@${gpuDevice.device}`]);
    client.dispose();
  });

  it('remembers WASM, and tells the page, when a run falls back from WebGPU', async () => {
    const store = memoryStore();
    const changes: BackendChoice[] = [];
    const winner: BackendChoice = { backend: 'webgpu', timings: { wasm: 90, webgpu: 15 } };
    const client = createInferenceClient(() => choosingWorker([], winner), {
      choices: store,
      onBackendChange: (c) => changes.push(c),
    });
    await client.loadModel(new ArrayBuffer(4), metadata, { sha256: sha });
    const result = await client.run(fakeBitmap());
    expect(result.fallbackReason).toBe('WebGPU failed: lost');
    const fallback = { backend: 'wasm', reason: 'WebGPU failed: lost' };
    expect(changes).toEqual([fallback]);
    expect(store.rows.get(`${sha}@${gpuDevice.device}`)).toEqual(fallback);
    await client.run(fakeBitmap());
    expect(changes).toHaveLength(1); // said once
    client.dispose();
  });

  it('neither hashes nor remembers where WebGPU is missing', async () => {
    const store = memoryStore();
    const requests: unknown[] = [];
    const client = createInferenceClient(
      () =>
        fakeWorker({
          probe: async () => ({ unavailable: 'navigator.gpu is missing', device: 'ua' }),
          load: async (_m, _meta, options) => {
            requests.push(options);
            return ok({ ...loaded, choice: { backend: 'wasm', reason: 'WebGPU not available' } });
          },
        }) as unknown as Worker,
      { choices: store },
    );
    const got = await client.loadModel(new ArrayBuffer(4), metadata);
    expect(got.choice).toEqual({ backend: 'wasm', reason: 'WebGPU not available' });
    expect(requests).toEqual([{ backend: 'auto' }]);
    expect(store.rows.size).toBe(0);
    client.dispose();
  });
});
