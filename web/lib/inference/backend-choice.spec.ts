import { describe, expect, it } from 'vitest';
import { backendLabel, chooseByTimings, planLoad, WEBGPU_UNAVAILABLE } from './backend-choice';

const gpu = { device: 'nvidia/ada | Chrome/140' };

describe('planLoad', () => {
  it('loads on WASM with no benchmark where WebGPU is missing', () => {
    expect(planLoad('auto', { unavailable: 'no adapter', device: 'ua' }, undefined)).toEqual({
      backend: 'auto',
    });
  });

  it('benchmarks the first load of a model on a device with WebGPU', () => {
    expect(planLoad('auto', gpu, undefined)).toEqual({ backend: 'auto', benchmark: true });
  });

  it('reuses the remembered winner, with its reason, instead of benchmarking again', () => {
    const remembered = chooseByTimings(80, 20);
    expect(planLoad('auto', gpu, remembered)).toEqual({ backend: 'webgpu', remembered });
  });

  it('honours a caller that forces a backend', () => {
    expect(planLoad('wasm', gpu, chooseByTimings(80, 20))).toEqual({ backend: 'wasm' });
  });
});

describe('chooseByTimings', () => {
  it('keeps the faster backend and says by how much', () => {
    expect(chooseByTimings(80, 20)).toEqual({
      backend: 'webgpu',
      reason: 'faster on this device: 20 ms vs 80 ms',
      timings: { wasm: 80, webgpu: 20 },
    });
    expect(chooseByTimings(6.04, 12)).toMatchObject({
      backend: 'wasm',
      reason: 'faster on this device: 6.0 ms vs 12 ms',
    });
  });

  it('picks WASM with the error when WebGPU failed', () => {
    expect(chooseByTimings(80, new Error('device lost'))).toEqual({
      backend: 'wasm',
      reason: 'WebGPU failed: device lost',
      timings: { wasm: 80 },
    });
  });
});

describe('backendLabel', () => {
  it('names the backend and, in brackets, why', () => {
    expect(backendLabel({ backend: 'wasm', reason: WEBGPU_UNAVAILABLE })).toBe(
      'WASM (WebGPU not available)',
    );
    expect(backendLabel({ backend: 'wasm', reason: 'WebGPU failed: device lost' })).toBe(
      'WASM (WebGPU failed: device lost)',
    );
    expect(backendLabel({ backend: 'webgpu' })).toBe('WebGPU');
  });
});
