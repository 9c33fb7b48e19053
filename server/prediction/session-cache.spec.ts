import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache';

/** A session that records what happens to it; the cache under test only opens and releases. */
class Recorded {
  released = false;
  running = 0;
  maxRunning = 0;
  constructor(readonly key: string) {}
  async run(log: string[], label: string) {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((resolve) => setImmediate(resolve));
    log.push(label);
    this.running--;
  }
  release() {
    this.released = true;
    return Promise.resolve();
  }
}

describe('SessionCache', () => {
  it('keeps the most recently used sessions and releases the others after their work', async () => {
    const opened: Recorded[] = [];
    const cache = new SessionCache(2, (key) => {
      const s = new Recorded(key);
      opened.push(s);
      return Promise.resolve(s);
    });
    const log: string[] = [];
    const a = cache.use('a', (s) => s.run(log, 'a1'));
    await cache.use('b', (s) => s.run(log, 'b1'));
    await cache.use('a', (s) => s.run(log, 'a2')); // a is now the most recent
    const c = cache.use('c', (s) => s.run(log, 'c1')); // evicts b
    await Promise.all([a, c]);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(opened.map((s) => [s.key, s.released])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
    ]);
    await cache.use('b', (s) => s.run(log, 'b2')); // opened again
    expect(opened.map((s) => s.key)).toEqual(['a', 'b', 'c', 'b']);
    await cache.clear();
    expect(opened.every((s) => s.released)).toBe(true);
  });

  it('runs one call at a time per session, in call order', async () => {
    let session: Recorded | undefined;
    const cache = new SessionCache(2, (key) => Promise.resolve((session = new Recorded(key))));
    const log: string[] = [];
    await Promise.all(['1', '2', '3', '4'].map((n) => cache.use('m', (s) => s.run(log, n))));
    expect(log).toEqual(['1', '2', '3', '4']);
    expect(session!.maxRunning).toBe(1);
  });

  it('forgets a session that failed to open, so the next call tries again', async () => {
    let tries = 0;
    const cache = new SessionCache(2, (key) =>
      ++tries === 1
        ? Promise.reject(new Error('no such model'))
        : Promise.resolve(new Recorded(key)),
    );
    await expect(cache.use('m', () => Promise.resolve(1))).rejects.toThrow('no such model');
    await expect(cache.use('m', () => Promise.resolve(2))).resolves.toBe(2);
    expect(tries).toBe(2);
  });

  it('keeps serving after a call fails', async () => {
    const cache = new SessionCache(1, (key) => Promise.resolve(new Recorded(key)));
    await expect(cache.use('m', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(cache.use('m', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
