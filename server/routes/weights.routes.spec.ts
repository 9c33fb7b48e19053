import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetManifest, QueueJob } from '../contract';
import {
  type TestApi,
  createJob,
  createTestApi,
  leaseJob,
  registerModel,
  seedVersion,
  sha256Of,
  testManifest,
} from '../testing/test-server';

// Stand-ins for .pt files: the server only hashes and stores them, it never unpickles one.
const trustedPt = new Uint8Array([0x80, 0x02, 1, 2, 3]);
const untrustedPt = new Uint8Array([0x80, 0x02, 6, 6, 6]);

let t: TestApi;
afterEach(() => t.close());

const upload = (body: Uint8Array<ArrayBuffer>, as = t.user) =>
  as('/api/weights', { method: 'PUT', body });

const postJob = async (json: Record<string, unknown>) => {
  const res = await t.user('/api/jobs', { method: 'POST', json });
  return { status: res.status, body: (await res.json()) as QueueJob & { error: { code: string } } };
};

describe('base weights', () => {
  it('refuses an upload that is not on the allowlist, says why and how, and stores nothing', async () => {
    t = await createTestApi(60, [sha256Of(trustedPt)]);
    const res = await upload(untrustedPt);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe('untrusted_weights');
    expect(error.message).toMatch(/pickle, which can run any code on the GPU machine/);
    expect(error.hint).toContain(`add ${sha256Of(untrustedPt)} to LOUPE_TRUSTED_WEIGHTS`);
    expect(t.services.blobs.has(sha256Of(untrustedPt))).toBe(false);
    expect((await upload(untrustedPt, t.runner)).status).toBe(403);
  });

  it('keeps an allowed upload, and a job started from it leases with its hash', async () => {
    const sha256 = sha256Of(trustedPt);
    t = await createTestApi(60, [sha256]);
    const version = await seedVersion(t);
    const early = await postJob({
      datasetVersionId: version.id,
      task: 'detect',
      baseWeights: { kind: 'uploaded', sha256 },
    });
    expect([early.status, early.body.error.code]).toEqual([422, 'base_weights_missing']);

    const res = await upload(trustedPt);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ sha256, bytes: trustedPt.length });
    const job = await postJob({
      datasetVersionId: version.id,
      task: 'detect',
      baseWeights: { kind: 'uploaded', sha256 },
    });
    expect(job.status).toBe(201);
    const lease = await leaseJob(t);
    expect(lease.baseWeights).toEqual({ sha256, bytes: trustedPt.length });
    const file = await t.runner(`/api/blobs/${sha256}`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(trustedPt);

    const untrusted = await postJob({
      datasetVersionId: version.id,
      task: 'detect',
      baseWeights: { kind: 'uploaded', sha256: sha256Of(untrustedPt) },
    });
    expect([untrusted.status, untrusted.body.error.code]).toEqual([422, 'untrusted_weights']);
  });

  it("fine-tunes from a model version's best.pt, and only one of the same task that has it", async () => {
    t = await createTestApi();
    const manifest: DatasetManifest = testManifest();
    manifest.images[0]!.imageClass = 0;
    const version = await seedVersion(t, manifest);
    const withBest = await registerModel(t, version.id, { bestPt: true });
    const withoutBest = await registerModel(t, version.id);
    const from = (modelVersionId: string, task = 'detect') =>
      postJob({
        datasetVersionId: version.id,
        task,
        baseWeights: { kind: 'model-version', modelVersionId },
      });

    expect((await from('no-such-model')).body.error.code).toBe('unknown_model_version');
    expect((await from(withoutBest.modelVersionId)).body.error.code).toBe('base_weights_missing');
    const wrongTask = await from(withBest.modelVersionId, 'classify');
    expect(wrongTask.body.error.code).toBe('base_weights_task');
    expect(wrongTask.body.error).toMatchObject({
      message: expect.stringMatching(/is a detect model and this job trains classify/),
    });

    const job = await from(withBest.modelVersionId);
    expect(job.status).toBe(201);
    expect(job.body.config.baseWeights).toEqual({
      kind: 'model-version',
      modelVersionId: withBest.modelVersionId,
    });
    const lease = await leaseJob(t);
    expect(lease.job.id).toBe(job.body.id);
    expect(lease.baseWeights).toEqual({ sha256: withBest.bestPt!.sha256, bytes: 4 });
  });

  it('leases a job built from YAML with no base weights', async () => {
    t = await createTestApi();
    await createJob(t, (await seedVersion(t)).id);
    expect((await leaseJob(t)).baseWeights).toBeNull();
  });
});
