import { describe, expect, it } from 'vitest';
import { readEventStream } from './job-events';

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

const collect = async (body: ReadableStream<Uint8Array>) => {
  const out = [];
  for await (const message of readEventStream(body)) out.push(message);
  return out;
};

describe('readEventStream', () => {
  it('reads messages split anywhere across chunks, and skips comments', async () => {
    const messages = await collect(
      streamOf(
        'event: status\ndata: {"a":',
        '1}\nid: 7\n\n: keep-alive\n\nid: 8\nda',
        'ta: {}\n\n',
      ),
    );
    expect(messages).toEqual([
      { id: 7, data: '{"a":1}' },
      { id: 8, data: '{}' },
    ]);
  });

  it('drops a message cut off by a closed connection', async () => {
    expect(await collect(streamOf('id: 1\ndata: {}\n\nid: 2\ndata: {"x"'))).toEqual([
      { id: 1, data: '{}' },
    ]);
  });
});
