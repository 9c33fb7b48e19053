import { describe, expect, it } from 'vitest';
import { formatBytes, levelFor } from './storage-status';

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('levelFor', () => {
  it('is ok with plenty left', () => {
    expect(levelFor(1 * GB, 10 * GB)).toBe('ok');
  });
  it('warns when under a fifth of the quota or 300 MB is left', () => {
    expect(levelFor(8.5 * GB, 10 * GB)).toBe('low');
    expect(levelFor(800 * MB, 1 * GB)).toBe('low');
  });
  it('is critical near the end', () => {
    expect(levelFor(10 * GB - 10 * MB, 10 * GB)).toBe('critical');
    expect(levelFor(12 * GB, 10 * GB)).toBe('critical');
  });
  it('says nothing when the browser reports no quota', () => {
    expect(levelFor(5, 0)).toBe('ok');
  });
});

describe('formatBytes', () => {
  it('reads like a person would write it', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * MB)).toBe('250 MB');
  });
});
