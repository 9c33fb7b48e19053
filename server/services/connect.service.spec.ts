import { describe, expect, it } from 'vitest';
import { startBanner } from '../onboarding/start-banner';
import { ConnectService } from './connect.service';

const forwarded = new Request('http://127.0.0.1:8787/api/connect', {
  headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cards.example.org' },
});

describe('ConnectService behind a reverse proxy', () => {
  it("takes the phone's address from the proxy's headers only when told to trust it", () => {
    const trusting = new ConnectService();
    trusting.attach({ host: '127.0.0.1', port: 8787, tls: null, trustProxy: true });
    expect(trusting.requestOrigin(forwarded)).toBe('https://cards.example.org');
    expect(trusting.pairUrls('https://cards.example.org', 'ABCD-EFGH')).toEqual([
      'https://cards.example.org/pair#code=ABCD-EFGH',
    ]);
    expect(trusting.info('https://cards.example.org').transport).toBe('proxy');

    const plain = new ConnectService();
    plain.attach({ host: '127.0.0.1', port: 8787, tls: null, trustProxy: false });
    expect(plain.requestOrigin(forwarded)).toBe('http://127.0.0.1:8787');
    expect(plain.info('http://127.0.0.1:8787').problem).toMatch(
      /listens on 127\.0\.0\.1 only.*LOUPE_HOST=0\.0\.0\.0/,
    );
  });
});

describe('the start-up banner', () => {
  it('prints a QR code of the set-up page and a pairing code', async () => {
    const text = await startBanner({
      localUrl: 'http://localhost:8787',
      userToken: 'tok',
      dataDir: 'data',
      runner: 'local',
      connect: {
        transport: 'local-ca',
        appUrls: ['https://192.168.1.20:8787'],
        onboardingUrl: 'http://192.168.1.20:8787/',
        caFingerprint: 'AB:CD',
        problem: null,
      },
      pairing: {
        code: 'ABCD-EFGH',
        expiresAt: '2026-12-07T10:10:00Z',
        pairUrls: ['https://192.168.1.20:8787/pair#code=ABCD-EFGH'],
      },
    });
    expect(text).toContain('http://localhost:8787/?token=tok');
    expect(text).toContain('(http://192.168.1.20:8787/)');
    expect(text).toContain(
      'open https://192.168.1.20:8787/pair and type the pairing code  ABCD-EFGH',
    );
    expect(text).toMatch(/▄▄▄▄▄▄▄/); // the QR code's finder pattern
    expect(text).not.toMatch(/http:\/\/192\.168\.1\.20:8787\/\?token/);
  });
});
