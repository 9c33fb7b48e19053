import { describe, expect, it } from 'vitest';
import type { Backend, Float32Tensor } from '../types';
import { openForRequest, type BackendBoundary } from './backend-selector';
import type { OrtSession } from './ort';

/**
 * onnxruntime is the boundary here: each fake session answers with its backend's name, and the
 * spec injects what real devices do (WebGPU missing, failing to open, failing mid-run, timings).
 */
interface Device {
  gpu?: 'missing' | 'fails-to-open' | 'fails-at-run-2' | 'works';
  ms?: Partial<Record<Backend, number>>;
}

function boundary(device: Device) {
  const log: string[] = [];
  const released: Backend[] = [];
  let gpuRuns = 0;
  const session = (backend: Backend): OrtSession => ({
    backend,
    inputNames: ['images'],
    outputNames: ['output0'],
    inputs: [],
    outputs: [],
    threads: 1,
    async run(input: Float32Tensor) {
      if (input.dims[0]! < 0) throw new Error('negative dimension');
      if (backend === 'webgpu' && device.gpu === 'fails-at-run-2' && ++gpuRuns >= 2) {
        throw new Error('GPUDevice was lost');
      }
      return {
        output0: { data: new Float32Array([backend === 'webgpu' ? 1 : 0]), dims: input.dims },
      };
    },
    async release() {
      released.push(backend);
    },
  });
  const b: BackendBoundary = {
    async webGpuUnavailable() {
      return device.gpu === 'missing' ? 'navigator.gpu is missing' : undefined;
    },
    async open(backend) {
      log.push(`open ${backend}`);
      if (backend === 'webgpu' && device.gpu === 'fails-to-open') {
        throw new Error('no kernel for op Resize');
      }
      return session(backend);
    },
    async measure(s) {
      log.push(`measure ${s.backend}`);
      return device.ms?.[s.backend] ?? 10;
    },
    async verify(s) {
      await s.run({ data: new Float32Array(1), dims: [1] });
    },
  };
  return { b, log, released };
}

const input = { data: new Float32Array(1), dims: [1] };
const ranOn = async (s: OrtSession) => ((await s.run(input)).output0!.data[0] ? 'webgpu' : 'wasm');

describe('openForRequest', () => {
  it('uses WASM and says WebGPU is not available where it is missing', async () => {
    const { b, log } = boundary({ gpu: 'missing' });
    const { session, choice } = await openForRequest(b, { backend: 'auto', benchmark: true });
    expect(choice).toEqual({ backend: 'wasm', reason: 'WebGPU not available' });
    expect(session.backend).toBe('wasm');
    expect(log).toEqual(['open wasm']); // no benchmark, no WebGPU runtime downloaded
  });

  it('benchmarks both backends once and keeps the faster, releasing the other', async () => {
    const fastGpu = boundary({ gpu: 'works', ms: { wasm: 90, webgpu: 15 } });
    const picked = await openForRequest(fastGpu.b, { backend: 'auto', benchmark: true });
    expect(picked.choice).toMatchObject({ backend: 'webgpu', timings: { wasm: 90, webgpu: 15 } });
    expect(await ranOn(picked.session)).toBe('webgpu');
    expect(fastGpu.released).toEqual(['wasm']);
    expect(fastGpu.log).toEqual(['open wasm', 'measure wasm', 'open webgpu', 'measure webgpu']);

    const slowGpu = boundary({ gpu: 'works', ms: { wasm: 30, webgpu: 45 } });
    const kept = await openForRequest(slowGpu.b, { backend: 'auto', benchmark: true });
    expect(kept.choice).toMatchObject({ backend: 'wasm', reason: /30 ms vs 45 ms/ });
    expect(await ranOn(kept.session)).toBe('wasm');
    expect(slowGpu.released).toEqual(['webgpu']);
  });

  it('picks WASM with the reason when WebGPU fails during the benchmark', async () => {
    const { b } = boundary({ gpu: 'fails-to-open' });
    const { session, choice } = await openForRequest(b, { backend: 'auto', benchmark: true });
    expect(choice).toMatchObject({
      backend: 'wasm',
      reason: 'WebGPU failed: no kernel for op Resize',
    });
    expect(await ranOn(session)).toBe('wasm');
  });

  it('falls back to WASM when the remembered WebGPU fails to load', async () => {
    const { b, log } = boundary({ gpu: 'fails-to-open' });
    const { choice } = await openForRequest(b, { backend: 'webgpu' });
    expect(choice).toEqual({ backend: 'wasm', reason: 'WebGPU failed: no kernel for op Resize' });
    expect(log).toEqual(['open webgpu', 'open wasm']);
  });

  it('moves a WebGPU session to WASM when a run fails, retrying that run', async () => {
    const { b, released } = boundary({ gpu: 'fails-at-run-2' });
    const remembered = { backend: 'webgpu' as const, reason: 'faster on this device' };
    const { session, choice } = await openForRequest(b, { backend: 'webgpu', remembered });
    expect(choice).toBe(remembered); // the verify run (run 1) worked
    expect(session.fallbackReason).toBeUndefined();
    expect(await ranOn(session)).toBe('wasm'); // run 2 failed on WebGPU and was retried
    expect(session.backend).toBe('wasm');
    expect(session.fallbackReason).toBe('WebGPU failed: GPUDevice was lost');
    expect(released).toEqual(['webgpu']);
    expect(await ranOn(session)).toBe('wasm');
  });

  it('throws a run that fails on WASM as well: the input is at fault, not the device', async () => {
    const { b } = boundary({ gpu: 'works' });
    const { session } = await openForRequest(b, { backend: 'webgpu' });
    const bad = { data: new Float32Array(1), dims: [-1] };
    await expect(session.run(bad)).rejects.toThrow('negative dimension');
    await expect(session.run(bad)).rejects.toThrow('negative dimension');
  });
});
