import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '$contract';
import { assertMatchesMetadata, assertModelSize, defaultMaxModelBytes } from './model-check';

const detect = {
  task: 'detect',
  classNames: ['card', 'back'],
  inputName: 'images',
  inputShape: [1, 3, 96, 96],
  outputNames: ['output0'],
} as ModelMetadata;
const inputs = [{ name: 'images', shape: [1, 3, 96, 96] }];

describe('assertMatchesMetadata', () => {
  it('accepts a detect graph whose channels are 4 + classes', () => {
    expect(() =>
      assertMatchesMetadata(detect, inputs, [{ name: 'output0', shape: [1, 6, 189] }]),
    ).not.toThrow();
  });

  it('names the class count when the output has other channels', () => {
    expect(() =>
      assertMatchesMetadata(detect, inputs, [{ name: 'output0', shape: [1, 5, 189] }]),
    ).toThrow(/2 classes \(card, back\).*\[1, 6, N\].*\[1, 5, 189\]/);
  });

  it('checks both segment outputs', () => {
    const segment = { ...detect, task: 'segment', outputNames: ['output0', 'output1'] };
    const outputs = [
      { name: 'output0', shape: [1, 38, 189] },
      { name: 'output1', shape: [1, 32, 24, 24] },
    ];
    expect(() => assertMatchesMetadata(segment as ModelMetadata, inputs, outputs)).not.toThrow();
    expect(() =>
      assertMatchesMetadata(segment as ModelMetadata, inputs, [outputs[0]!, outputs[0]!]),
    ).toThrow(/metadata names outputs output0, output1/);
  });

  it('passes when onnxruntime cannot tell a shape (the warm-up run checks then)', () => {
    expect(() =>
      assertMatchesMetadata(
        detect,
        [{ name: 'images', shape: [] }],
        [{ name: 'output0', shape: [] }],
      ),
    ).not.toThrow();
  });
});

describe('model size', () => {
  it('scales with device memory, capped at 1 GiB', () => {
    expect(defaultMaxModelBytes(2)).toBe(256 * 1024 * 1024);
    expect(defaultMaxModelBytes(undefined)).toBe(512 * 1024 * 1024);
    expect(defaultMaxModelBytes(64)).toBe(1024 * 1024 * 1024);
  });

  it('refuses a larger file with the sizes in the message', () => {
    expect(() => assertModelSize(3 * 1024 * 1024, 1024 * 1024)).toThrow(
      /3\.0 MiB, more than this device can load \(1\.0 MiB\)/,
    );
  });
});
