import { createHash } from 'node:crypto';
import { tinyPng } from './test-server';

/** A real PNG header that declares `side` x `side` pixels: a decompression bomb's first bytes. */
export function bombPng(side = 60_000): Uint8Array<ArrayBuffer> {
  const png = tinyPng(1);
  const view = new DataView(png.buffer);
  view.setUint32(16, side);
  view.setUint32(20, side);
  return png;
}

/**
 * A request body that starts with `head` and then produces `chunks` more chunks of `chunkBytes`
 * only as they are read, so a test can tell how far the server read before it answered.
 */
export function streamedBody(head: Uint8Array, chunks: number, chunkBytes = 64 * 1024) {
  const chunk = (i: number) => new Uint8Array(chunkBytes).fill(i & 0xff);
  const hash = createHash('sha256').update(head);
  for (let i = 1; i <= chunks; i++) hash.update(chunk(i));
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled += 1;
      controller.enqueue(chunk(pulled));
    },
  });
  return {
    bytes: head.length + chunks * chunkBytes,
    sha256: hash.digest('hex'),
    init: { body, duplex: 'half' } as RequestInit,
    pulled: () => pulled,
  };
}
