/**
 * The channel follower against the real server (real SQLite, real channel moves, the real
 * model-file route) and a real IndexedDB implementation (fake-indexeddb). The page's side is
 * `activate`, which records what it was asked to load; a damaged download is an injected
 * network fault that flips one byte of the file.
 */
import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '$contract';
import { unwrap } from '$lib/api/api-error';
import { deleteDb } from '$lib/db/database';
import { getDelivery, listStoredModels } from '$lib/db/model-store';
import {
  createTestApi,
  registerModel,
  seedVersion,
  type TestApi,
} from '../../../server/testing/test-server';
import { ChannelFollower, type DeliveryState } from './channel-follower';

const CHANNEL = 'cards/production';
let t: TestApi;
let ids: string[];
let loaded: string[];
let modelRequests: string[];
let damage: string | null;
let state: DeliveryState;
let follower: ChannelFollower;

async function network(url: string, init: RequestInit) {
  modelRequests.push(url);
  const response = await t.user(url, init);
  if (!damage || !url.includes(damage)) return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  bytes[bytes.length >> 1]! ^= 0xff;
  return new Response(bytes, { status: response.status, headers: response.headers });
}

const sha256 = async (blob: Blob) =>
  createHash('sha256')
    .update(new Uint8Array(await blob.arrayBuffer()))
    .digest('hex');

function newFollower() {
  return new ChannelFollower({
    fetchChannel: async (name) => unwrap<Channel>(await t.user(`/api/channels/${name}`)),
    hash: sha256,
    activate: async (row) => {
      if ((await row.blob.text()).startsWith('broken')) throw new Error('not an ONNX model');
      loaded.push(row.id);
    },
    onState: (s) => (state = s),
    fetch: network,
    retryMs: 60_000,
  });
}

const move = async (path: 'promote' | 'rollback', modelId?: string) => {
  const json = path === 'promote' ? { channel: CHANNEL, modelId } : { channel: CHANNEL };
  await unwrap(await t.user(`/api/channels/${path}`, { method: 'POST', json }));
};
const storedIds = async () => (await listStoredModels()).map((m) => m.id).sort();

beforeEach(async () => {
  t = await createTestApi();
  const version = await seedVersion(t);
  ids = [];
  for (let i = 0; i < 5; i++) {
    const onnx = new Uint8Array(randomBytes(20_000 + i));
    ids.push((await registerModel(t, version.id, { onnx })).modelVersionId);
  }
  loaded = [];
  modelRequests = [];
  damage = null;
  follower = newFollower();
  await follower.start();
});

afterEach(async () => {
  follower.dispose();
  t.close();
  await deleteDb();
});

describe('following a channel', () => {
  it('downloads, verifies, stores and loads the channel version, then stays put', async () => {
    await move('promote', ids[0]);
    await follower.follow(CHANNEL);
    expect(loaded).toEqual([ids[0]]);
    expect(await getDelivery()).toMatchObject({ channel: CHANNEL, activeModelId: ids[0] });
    expect(await storedIds()).toEqual([ids[0]]);
    expect(state).toMatchObject({ active: { id: ids[0] }, error: null, download: null });
    expect(state.updated?.to).toContain(ids[0]!.slice(0, 8));
    await follower.check();
    expect(modelRequests.filter((u) => u.endsWith('model.onnx'))).toHaveLength(1);
  });

  it('refuses a damaged download: nothing stored, the old version keeps running', async () => {
    await move('promote', ids[0]);
    await follower.follow(CHANNEL);
    damage = ids[1]!;
    await move('promote', ids[1]);
    await follower.check();
    expect(state.error).toMatch(
      /was refused: the downloaded file's SHA-256 .* is not the server's/,
    );
    expect(state.error).toMatch(
      /Nothing was stored; version .* keeps running\. It retries in 60 s/,
    );
    expect(await storedIds()).toEqual([ids[0]]);
    expect(loaded).toEqual([ids[0]]);
    expect((await getDelivery()).activeModelId).toBe(ids[0]);
    // The next check (a retry) gets the good file.
    damage = null;
    await follower.check();
    expect(loaded).toEqual([ids[0], ids[1]]);
    expect(state.error).toBeNull();
  });

  it('rolls back to a stored version without downloading it', async () => {
    await move('promote', ids[0]);
    await follower.follow(CHANNEL);
    await move('promote', ids[1]);
    await follower.check();
    const downloads = modelRequests.length;
    await move('rollback');
    await follower.check();
    expect(loaded).toEqual([ids[0], ids[1], ids[0]]);
    expect(modelRequests).toHaveLength(downloads);
    expect((await getDelivery()).activeModelId).toBe(ids[0]);
  });

  it('keeps three versions, never the active one among those deleted', async () => {
    await move('promote', ids[0]);
    await follower.follow(CHANNEL);
    for (const id of ids.slice(1)) {
      await move('promote', id);
      await follower.check();
    }
    expect(await storedIds()).toEqual([ids[2], ids[3], ids[4]].sort());
    expect(state.stored).toHaveLength(3);
  });

  it('opens on the stored version with the server gone', async () => {
    await move('promote', ids[0]);
    await follower.follow(CHANNEL);
    follower.dispose();
    loaded = [];
    const offline = new ChannelFollower({
      fetchChannel: () => Promise.reject(new TypeError('Failed to fetch')),
      hash: sha256,
      activate: async (row) => void loaded.push(row.id),
      onState: (s) => (state = s),
    });
    await offline.start();
    expect(loaded).toEqual([ids[0]]);
    expect(state).toMatchObject({ offline: true, active: { id: ids[0] }, error: null });
    offline.dispose();
  });

  it('says so when the channel does not exist yet', async () => {
    await follower.follow('cards/nothing-here');
    expect(state.error).toMatch(/Channel cards\/nothing-here does not exist .* No model runs yet/);
  });
});
