import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { backendChoices } from './backend-choices';
import { deleteDb } from './database';

afterEach(() => deleteDb());

describe('backend choices', () => {
  it('remembers a choice per model and device, and only for that pair', async () => {
    const sha = 'a'.repeat(64);
    const choice = {
      backend: 'webgpu',
      reason: 'faster',
      timings: { wasm: 9, webgpu: 3 },
    } as const;
    await backendChoices.put(sha, 'gpu-1', choice);
    expect(await backendChoices.get(sha, 'gpu-1')).toEqual(choice);
    expect(await backendChoices.get(sha, 'gpu-2')).toBeUndefined();
    expect(await backendChoices.get('b'.repeat(64), 'gpu-1')).toBeUndefined();
    await backendChoices.put(sha, 'gpu-1', { backend: 'wasm', reason: 'WebGPU failed: lost' });
    expect(await backendChoices.get(sha, 'gpu-1')).toEqual({
      backend: 'wasm',
      reason: 'WebGPU failed: lost',
    });
  });
});
