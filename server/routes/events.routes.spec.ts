import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveEvent } from '../contract';
import {
  type TestApi,
  createJob,
  createTestApi,
  registerModel,
  seedVersion,
} from '../testing/test-server';

type Sse = { id: string; event: string; data: string };

/** Reads server-sent events off a response body as they arrive. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<Sse> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => new RegExp(`^${name}: ?(.*)$`, 'm').exec(block)?.[1];
          if (block.startsWith(':')) continue;
          return { id: field('id') ?? '', event: field('event') ?? '', data: field('data') ?? '' };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
      }
    },
    close: () => reader.cancel(),
  };
}

let t: TestApi;
let versionId: string;

beforeEach(async () => {
  t = await createTestApi();
  versionId = (await seedVersion(t)).id;
});
afterEach(() => t.close());

const ticket = async () =>
  ((await (await t.user('/api/events/ticket', { method: 'POST' })).json()) as { ticket: string })
    .ticket;
const open = (query: string, headers: Record<string, string> = {}) =>
  t.api.request(`/api/events?${query}`, { headers });
const promote = (channel: string, modelId: string) =>
  t.user('/api/channels/promote', { method: 'POST', json: { channel, modelId } });

/** Opens a stream from `lastEventId` (or now) and returns its reader after the `ready` event. */
async function follow(lastEventId?: string) {
  const res = await open(
    `ticket=${await ticket()}`,
    lastEventId ? { 'last-event-id': lastEventId } : {},
  );
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const sse = sseReader(res);
  const ready = await sse.next();
  expect(ready.event).toBe('ready');
  return { sse, start: ready.id };
}

describe('GET /api/events', () => {
  it('opens once per ticket', async () => {
    const once = await ticket();
    const first = await open(`ticket=${once}`);
    expect(first.status).toBe(200);
    await first.body?.cancel();
    const again = await open(`ticket=${once}`);
    expect(again.status).toBe(401);
    expect((await again.json()).error.message).toContain('already used');
  });

  it('refuses a ticket older than its minute', async () => {
    const old = await ticket();
    t.clock.advance(61);
    const res = await open(`ticket=${old}`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain('expired');
  });

  it('answers a request with no ticket with 401 and how to get one', async () => {
    const res = await open('');
    expect(res.status).toBe(401);
    const { error } = await res.json();
    expect(error.hint).toContain('POST /api/events/ticket');
    const runner = await t.runner('/api/events/ticket', { method: 'POST' });
    expect(runner.status).toBe(403);
  });

  it('delivers a promote and a job event live', async () => {
    const { modelVersionId } = await registerModel(t, versionId);
    const { sse, start } = await follow();
    await promote('cards/production', modelVersionId);
    const move = await sse.next();
    expect(move.event).toBe('channel');
    expect(LiveEvent.parse(JSON.parse(move.data))).toMatchObject({
      type: 'channel',
      move: { channel: 'cards/production', modelId: modelVersionId, action: 'promote' },
    });
    const job = await createJob(t, versionId);
    const queued = await sse.next();
    expect(queued.event).toBe('job');
    expect(JSON.parse(queued.data)).toEqual({
      type: 'job',
      jobId: job.id,
      event: { type: 'status', status: 'queued', error: null },
    });
    const ids = [start, move.id, queued.id].map((id) => id.split('-').map(Number));
    // Each event moves one half of the cursor forward and never the other back.
    expect(ids[1]![1]).toBeGreaterThan(ids[0]![1]!);
    expect(ids[2]![0]).toBeGreaterThan(ids[1]![0]!);
    expect(ids[2]![1]).toBe(ids[1]![1]);
    await sse.close();
  });

  it('replays exactly what a client missed since its Last-Event-ID, of both kinds', async () => {
    const a = await registerModel(t, versionId);
    const b = await registerModel(t, versionId);
    await promote('cards/production', a.modelVersionId);
    const { sse, start } = await follow();
    await sse.close();

    const missedJob = await createJob(t, versionId);
    await promote('cards/production', b.modelVersionId);
    await t.user(`/api/jobs/${missedJob.id}/cancel`, { method: 'POST' });

    const { sse: again } = await follow(start);
    const replay = [await again.next(), await again.next(), await again.next()];
    expect(replay.map((e) => LiveEvent.parse(JSON.parse(e.data)))).toEqual([
      {
        type: 'job',
        jobId: missedJob.id,
        event: { type: 'status', status: 'queued', error: null },
      },
      {
        type: 'job',
        jobId: missedJob.id,
        event: { type: 'status', status: 'cancelled', error: 'cancelled before it started' },
      },
      {
        type: 'channel',
        move: expect.objectContaining({
          modelId: b.modelVersionId,
          previousModelId: a.modelVersionId,
        }),
      },
    ]);
    // Nothing else was missed: the next event is a new one, and no id came twice.
    await promote('cards/beta', a.modelVersionId);
    const next = await again.next();
    expect(JSON.parse(next.data).move.channel).toBe('cards/beta');
    const ids = [...replay, next].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    // A reconnect from the middle of the replay resumes after it, without repeats.
    const { sse: resumed } = await follow(replay[0]!.id);
    expect((await resumed.next()).id).toBe(replay[1]!.id);
    await again.close();
    await resumed.close();
  });

  it('also opens with the bearer token, for clients that can send headers', async () => {
    const res = await t.user('/api/events');
    expect(res.status).toBe(200);
    const sse = sseReader(res);
    expect((await sse.next()).event).toBe('ready');
    await sse.close();
  });

  it('ends every stream when the server shuts down', async () => {
    const { sse } = await follow();
    t.services.live.closeAll();
    await expect(sse.next()).rejects.toThrow('the stream ended');
  });

  it('refuses an id it never sent', async () => {
    const res = await open(`ticket=${await ticket()}`, { 'last-event-id': 'yesterday' });
    expect(res.status).toBe(400);
  });
});
