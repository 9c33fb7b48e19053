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

describe('LOUPE_PRETRAINED_SHA256', () => {
  it('pins official files by name, and refuses what is not name=sha256', () => {
    expect(readEnv({}).pretrainedPins).toEqual({});
    const sha = 'c'.repeat(64);
    expect(readEnv({ LOUPE_PRETRAINED_SHA256: ` yolo11n.pt = ${sha},` }).pretrainedPins).toEqual({
      'yolo11n.pt': sha,
    });
    for (const bad of [sha, `yolo11n=${sha}`, 'yolo11n.pt=abc']) {
      expect(() => readEnv({ LOUPE_PRETRAINED_SHA256: bad })).toThrow(/LOUPE_PRETRAINED_SHA256/);
    }
  });

  it('keeps the official files in the data directory, under weights', () => {
    const env = readEnv({ LOUPE_DATA_DIR: 'data/' });
    expect(env.pretrainedDir.endsWith('/data/weights')).toBe(true);
    expect(env.pretrainedLabel).toBe('data/weights');
  });
});
