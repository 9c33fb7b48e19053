import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PretrainedCatalog, PretrainedFile, QueueJob } from '../contract';
import {
  type TestApi,
  createTestApi,
  leaseJob,
  seedVersion,
  sha256Of,
} from '../testing/test-server';

// Stand-ins for .pt files: the server only hashes and stores them, it never unpickles one (the
// runner's restricted loader does; gpu-runner/tests/test_safe_weights.py).
const detectPt = new Uint8Array([0x80, 0x02, 1, 1, 1]);
const segmentPt = new Uint8Array([0x80, 0x02, 2, 2, 2]);

let t: TestApi;
let folder: string;
afterEach(() => t.close());

async function api(pins: Record<string, string> = {}, download = true) {
  folder = join(mkdtempSync(join(tmpdir(), 'loupe-weights-')), 'weights');
  t = await createTestApi(60, [], {
    pretrained: { folder, label: 'data/weights', pins, download },
  });
}

const catalog = async () =>
  (await (await t.user('/api/weights/pretrained')).json()) as PretrainedCatalog;

const postJob = async (json: Record<string, unknown>) => {
  const res = await t.user('/api/jobs', { method: 'POST', json });
  return { status: res.status, body: (await res.json()) as QueueJob & { error: { code: string } } };
};

describe('pretrained weights', () => {
  it('recognises official files dropped in the folder by name, and says why others are not used', async () => {
    await api();
    expect(await catalog()).toEqual({
      files: [],
      folder: 'data/weights',
      problems: [],
      runnerDownload: true,
    });
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'yolo11n.pt'), detectPt);
    writeFileSync(join(folder, 'yolov8s-seg.pt'), segmentPt);
    writeFileSync(join(folder, 'my-model.pt'), detectPt);
    const { files, problems } = await catalog();
    expect(files).toEqual([
      {
        name: 'yolo11n.pt',
        family: 'yolo11',
        scale: 'n',
        task: 'detect',
        sha256: sha256Of(detectPt),
        bytes: 5,
        pinned: false,
      },
      expect.objectContaining({ name: 'yolov8s-seg.pt', family: 'yolov8', task: 'segment' }),
    ]);
    expect(problems).toEqual([expect.stringMatching(/^my-model.pt is not an official/)]);
  });

  it("leases a pretrained start with the server's copy, or tells the runner to fetch it with the pin", async () => {
    const pin = 'a'.repeat(64);
    await api({ 'yolov8n.pt': pin });
    const version = await seedVersion(t);
    const start = (name: string, task = 'detect') =>
      postJob({ datasetVersionId: version.id, task, baseWeights: { kind: 'pretrained', name } });

    const wrongTask = await start('yolo11n-cls.pt');
    expect(wrongTask.status).toBe(400);
    expect(JSON.stringify(wrongTask.body)).toMatch(/yolo11n-cls.pt is a classify model/);

    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'yolo11n.pt'), detectPt); // dropped in after the server started
    expect((await start('yolo11n.pt')).status).toBe(201);
    const served = await leaseJob(t);
    expect(served.baseWeights).toEqual({ sha256: sha256Of(detectPt), bytes: 5 });
    expect(served.pretrained).toBeNull();
    const file = await t.runner(`/api/blobs/${sha256Of(detectPt)}`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(detectPt);

    expect((await start('yolov8n.pt')).status).toBe(201);
    const fetched = await leaseJob(t);
    expect(fetched.baseWeights).toBeNull();
    expect(fetched.pretrained).toEqual({ name: 'yolov8n.pt', sha256: pin });
  });

  it('refuses a pretrained start it has no copy of when runners may not download', async () => {
    await api({}, false);
    const version = await seedVersion(t);
    const base = { kind: 'pretrained', name: 'yolo11n.pt' };
    const refused = await postJob({
      datasetVersionId: version.id,
      task: 'detect',
      baseWeights: base,
    });
    expect([refused.status, refused.body.error.code]).toEqual([422, 'pretrained_missing']);
    expect(JSON.stringify(refused.body.error)).toMatch(/Put the official yolo11n.pt in the server/);
  });

  it('stores an upload under its official name, refusing one that differs from its pin', async () => {
    await api({ 'yolo11n.pt': sha256Of(detectPt) });
    const put = (name: string, body: Uint8Array<ArrayBuffer>) =>
      t.user(`/api/weights/pretrained/${name}`, { method: 'PUT', body });

    const refused = await put('yolo11n.pt', new Uint8Array(segmentPt));
    expect(refused.status).toBe(422);
    expect((await refused.json()).error.code).toBe('pretrained_pin_mismatch');
    expect(existsSync(join(folder, 'yolo11n.pt'))).toBe(false);
    expect(t.services.blobs.has(sha256Of(segmentPt))).toBe(false);

    expect((await put('not-official.pt', new Uint8Array(detectPt))).status).toBe(400);
    const stored = await put('yolo11n.pt', new Uint8Array(detectPt));
    expect(stored.status).toBe(201);
    expect((await stored.json()) as PretrainedFile).toMatchObject({
      name: 'yolo11n.pt',
      pinned: true,
    });
    expect((await catalog()).files.map((f) => f.name)).toEqual(['yolo11n.pt']);
  });
});
