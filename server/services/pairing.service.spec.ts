import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/test-server';
import { PairingService } from './pairing.service';

const urls = (code: string) => [`https://loupe.lan:8787/pair#code=${code}`];

describe('PairingService', () => {
  it('refuses a code after its ten minutes', () => {
    const clock = new ManualClock();
    const pairing = new PairingService(clock);
    const { code } = pairing.issue(urls);
    clock.advance(10 * 60 + 1);
    expect(() => pairing.claim(code, 't')).toThrow(/expired \(codes last 10 minutes\)/);
  });

  it('stops answering after ten wrong codes a minute, then answers again', () => {
    const clock = new ManualClock();
    const pairing = new PairingService(clock);
    const { code } = pairing.issue(urls);
    for (let i = 0; i < 10; i++) expect(() => pairing.claim('WRONG-CODE', 't')).toThrow(/unknown/);
    expect(() => pairing.claim(code, 't')).toThrow(/too many wrong pairing codes/);
    clock.advance(61);
    expect(pairing.claim(code, 't')).toEqual({ token: 't' });
  });
});
