import { describe, expect, it } from 'vitest';
import { httpsVersion, missingSecureFeatures } from './secure-context';

const secure = {
  isSecureContext: true,
  crossOriginIsolated: true,
  crypto: { randomUUID: () => '', subtle: {} },
  navigator: { serviceWorker: {}, mediaDevices: {}, locks: {} },
};

describe('missingSecureFeatures', () => {
  it('finds nothing missing in a secure, isolated page', () => {
    expect(missingSecureFeatures(secure)).toEqual([]);
  });

  it('names every feature an insecure page lacks and what it breaks', () => {
    const insecure = {
      isSecureContext: false,
      crossOriginIsolated: false,
      crypto: {},
      navigator: {},
    };
    const missing = missingSecureFeatures(insecure);
    expect(missing.map((m) => m.feature)).toEqual([
      'crypto.randomUUID',
      'crypto.subtle',
      'service workers',
      'the camera (getUserMedia)',
      'Web Locks',
      'cross-origin isolation',
    ]);
    expect(missing.find((m) => m.feature === 'crypto.subtle')?.breaks).toMatch(/hashing photos/);
  });
});

describe('httpsVersion', () => {
  it('keeps host, port, path and query', () => {
    expect(httpsVersion({ href: 'http://192.168.1.5:8787/datasets/x?a=1' })).toBe(
      'https://192.168.1.5:8787/datasets/x?a=1',
    );
  });
});
