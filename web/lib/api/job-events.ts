import { JobEvent } from '$contract';
import { authorizedFetch } from './client';

export type JobEventHandler = (event: JobEvent, id: number) => void;

/**
 * Follows a job's live event stream. EventSource cannot send the Authorization header, so this
 * reads the text/event-stream with fetch and reconnects with Last-Event-ID, so a dropped
 * connection receives exactly the events it missed.
 */
export async function followJobEvents(
  jobId: string,
  onEvent: JobEventHandler,
  signal: AbortSignal,
) {
  let lastId = 0;
  while (!signal.aborted) {
    try {
      const response = await authorizedFetch(`/api/jobs/${jobId}/events`, {
        headers: lastId ? { 'last-event-id': String(lastId) } : {},
        signal,
      });
      if (!response.ok || !response.body)
        throw new Error(`event stream answered ${response.status}`);
      let ended = false;
      for await (const message of readEventStream(response.body)) {
        const parsed = JobEvent.safeParse(JSON.parse(message.data));
        if (!parsed.success) continue;
        lastId = message.id;
        onEvent(parsed.data, message.id);
        if (
          parsed.data.type === 'status' &&
          ['completed', 'failed', 'cancelled'].includes(parsed.data.status)
        ) {
          ended = true;
        }
      }
      if (ended) return;
    } catch (error) {
      if (signal.aborted) return;
      console.warn('job events: reconnecting', error);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

type Message = { id: number; data: string };

export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<Message> {
  // TS's DOM types describe TextDecoderStream's input as BufferSource, wider than the stream's.
  const decoder = new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>;
  const reader = body.pipeThrough(decoder).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: ?(\d+)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (id && data) yield { id: Number(id), data };
    }
  }
}
