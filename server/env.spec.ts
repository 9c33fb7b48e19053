import { describe, expect, it } from 'vitest';
import { readEnv } from './env';

describe('LOUPE_TRUSTED_WEIGHTS', () => {
  it('is a comma-separated list of SHA-256s, empty by default', () => {
    expect(readEnv({}).trustedWeights).toEqual([]);
    const a = 'A'.repeat(64);
    const b = 'b'.repeat(64);
    expect(readEnv({ LOUPE_TRUSTED_WEIGHTS: ` ${a}, ${b},` }).trustedWeights).toEqual([
      'a'.repeat(64),
      b,
    ]);
  });

  it('refuses anything that is not a hash, so a typo cannot silently allow nothing', () => {
    expect(() => readEnv({ LOUPE_TRUSTED_WEIGHTS: 'yolo11n.pt' })).toThrow(/LOUPE_TRUSTED_WEIGHTS/);
  });
});
