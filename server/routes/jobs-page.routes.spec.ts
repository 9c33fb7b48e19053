import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobPage } from '../contract';
import { createJob, createTestApi, seedVersion, type TestApi } from '../testing/test-server';

let t: TestApi;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const page = async (query = '') => (await (await t.user(`/api/jobs${query}`)).json()) as JobPage;

describe('GET /api/jobs pages', () => {
  it('walks every job once, newest first, with totals over all of them', async () => {
    const version = await seedVersion(t);
    // The manual clock stands still: every job has the same creation time, so ties must hold.
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createJob(t, version.id)).id);
    for (const id of created.slice(0, 2))
      await t.user(`/api/jobs/${id}/cancel`, { method: 'POST' });

    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const p: JobPage = await page(`?limit=3${cursor ? `&before=${cursor}` : ''}`);
      expect(p.total).toBe(7);
      expect(p.byStatus).toMatchObject({ queued: 5, cancelled: 2, completed: 0 });
      sizes.push(p.jobs.length);
      seen.push(...p.jobs.map((j) => j.id));
      cursor = p.next;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([...created].reverse());
  });

  it('answers the newest 100 by default and says more are there', async () => {
    const version = await seedVersion(t);
    for (let i = 0; i < 101; i++) await createJob(t, version.id);
    const first = await page();
    expect(first.jobs).toHaveLength(100);
    expect(first.total).toBe(101);
    expect(first.next).not.toBeNull();
    const rest = await page(`?before=${first.next}`);
    expect(rest.jobs).toHaveLength(1);
    expect(rest.next).toBeNull();
  });

  it('refuses a cursor it did not give and a limit out of range', async () => {
    const bad = await t.user('/api/jobs?before=not-a-cursor');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('bad_cursor');
    expect((await t.user('/api/jobs?limit=0')).status).toBe(400);
    expect((await t.user('/api/jobs?limit=501')).status).toBe(400);
  });
});
