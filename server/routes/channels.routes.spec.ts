import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, ChannelMove } from '../contract';
import { type TestApi, createTestApi, registerModel, seedVersion } from '../testing/test-server';

let t: TestApi;
let models: string[];

beforeEach(async () => {
  t = await createTestApi();
  const version = await seedVersion(t);
  models = [];
  for (let i = 0; i < 3; i++) models.push((await registerModel(t, version.id)).modelVersionId);
});
afterEach(() => t.close());

const promote = (channel: string, modelId: string) =>
  t.user('/api/channels/promote', { method: 'POST', json: { channel, modelId } });
const rollback = (channel: string) =>
  t.user('/api/channels/rollback', { method: 'POST', json: { channel } });
const live = async (res: Response) => ((await res.json()) as Channel).model.id;

describe('channels', () => {
  it('points a channel at the promoted version and logs every move', async () => {
    const first = await promote('card-border/production', models[0]!);
    expect(first.status).toBe(200);
    await promote('card-border/production', models[1]!);
    const res = await t.user('/api/channels/card-border/production');
    const channel = (await res.json()) as Channel;
    expect(channel.model.id).toBe(models[1]);
    expect(channel.history.map((m) => [m.action, m.modelId, m.previousModelId])).toEqual([
      ['promote', models[1], models[0]],
      ['promote', models[0], null],
    ]);
    const list = (await (await t.user('/api/channels')).json()) as Channel[];
    expect(list.map((c) => c.name)).toEqual(['card-border/production']);
  });

  it('promoting the live version again changes nothing', async () => {
    await promote('cards/beta', models[0]!);
    await promote('cards/beta', models[0]!);
    const channel = (await (await t.user('/api/channels/cards/beta')).json()) as Channel;
    expect(channel.history).toHaveLength(1);
  });

  it('rolls back as a stack, two rollbacks going two versions back, then refuses', async () => {
    for (const id of models) await promote('cards/production', id);
    expect(await live(await rollback('cards/production'))).toBe(models[1]);
    expect(await live(await rollback('cards/production'))).toBe(models[0]);
    const none = await rollback('cards/production');
    expect(none.status).toBe(409);
    expect((await none.json()).error).toMatchObject({ code: 'nothing_to_roll_back' });
    // A promotion after rollbacks starts a new top of the stack.
    await promote('cards/production', models[2]!);
    expect(await live(await rollback('cards/production'))).toBe(models[0]);
  });

  it('tells subscribers of each move once it is stored', async () => {
    const heard: ChannelMove[] = [];
    t.services.channels.subscribe((m) => heard.push(m));
    await promote('cards/production', models[0]!);
    await promote('cards/production', models[1]!);
    await rollback('cards/production');
    expect(heard.map((m) => m.action)).toEqual(['promote', 'promote', 'rollback']);
    expect(t.services.channels.movesAfter(heard[0]!.id).map((m) => m.id)).toEqual(
      heard.slice(1).map((m) => m.id),
    );
  });

  it('refuses bad names, unknown versions and unknown channels with what to do', async () => {
    const badName = await promote('Card Border', models[0]!);
    expect(badName.status).toBe(400);
    expect((await badName.json()).error.message).toContain('<model line>/<stage>');
    const unknown = await promote('cards/production', '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const missing = await t.user('/api/channels/cards/nightly');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.hint).toContain('promoting');
    expect((await t.user('/api/channels')).status).toBe(200);
    expect(await (await t.user('/api/channels')).json()).toEqual([]);
  });
});

describe('deleting a model version', () => {
  it('is refused while a channel points at it, and allowed once none does', async () => {
    await promote('cards/production', models[0]!);
    const refused = await t.user(`/api/models/${models[0]}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    const { error } = await refused.json();
    expect(error).toMatchObject({
      code: 'model_in_use',
      details: { channels: ['cards/production'] },
    });
    expect((await t.user(`/api/models/${models[0]}`)).status).toBe(200);

    await promote('cards/production', models[1]!);
    expect((await t.user(`/api/models/${models[0]}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.user(`/api/models/${models[0]}`)).status).toBe(404);
    // The deleted version cannot come back through a rollback.
    const back = await rollback('cards/production');
    expect(back.status).toBe(409);
  });
});

describe('model files', () => {
  it('answers with the hash as ETag, 304 for a copy the client has, and byte ranges', async () => {
    const onnx = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 251));
    const version = await seedVersion(t);
    const { modelVersionId } = await registerModel(t, version.id, { onnx });
    const url = `/api/models/${modelVersionId}/model.onnx`;
    const whole = await t.user(url);
    const etag = whole.headers.get('etag')!;
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(onnx);

    expect((await t.user(url, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const rest = await t.user(url, { headers: { range: 'bytes=600-', 'if-range': etag } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe('bytes 600-999/1000');
    expect(new Uint8Array(await rest.arrayBuffer())).toEqual(onnx.slice(600));

    // A range against another version's ETag gets the whole (current) file.
    const stale = await t.user(url, { headers: { range: 'bytes=600-', 'if-range': '"other"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(1000);

    const past = await t.user(url, { headers: { range: 'bytes=1000-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */1000');
  });
});
