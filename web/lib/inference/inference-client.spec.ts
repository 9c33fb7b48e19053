import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '$contract';
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
