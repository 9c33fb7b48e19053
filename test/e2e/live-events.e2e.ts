import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Lease } from '../../server/contract';
import { readEnv } from '../../server/env';
import { startServer } from '../../server/server';
import {
  createJob,
  registerModel,
  seedVersion,
  tokenCaller,
  type TestApi,
} from '../../server/testing/test-server';
import { launchChromium, PHONE } from './browser';

let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;
let browser: Browser;

// No local runner: this test plays the runner itself over HTTP, so it decides when events happen.
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'loupe-e2e-'));
  const env = readEnv({
    LOUPE_PORT: '0',
    LOUPE_DATA_DIR: dataDir,
    LOUPE_RUNNER: 'off',
    LOUPE_WEB_DIR: resolve('build'),
  });
  server = await startServer(env);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What a tab's BroadcastChannel on the app's name hears: the leader's rebroadcasts. */
const listen = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { heard: unknown[]; probe: BroadcastChannel };
    w.heard = [];
    w.probe = new BroadcastChannel('loupe-live-events');
    w.probe.onmessage = (e: MessageEvent) => w.heard.push(e.data);
  });
const heardMoves = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { heard: { kind: string; event?: { type: string } }[] }).heard
      .filter((m) => m.kind === 'event' && m.event?.type === 'channel')
      .map((m) => JSON.stringify(m.event)),
  );

it('two tabs share one event stream, opened with a ticket; the other tab takes over', async () => {
  const { userToken, runnerToken } = server.tokens;
  // The route tests' helpers, over HTTP against the real server.
  const caller = tokenCaller((path, init) => fetch(server.url + path, init));
  const t = { user: caller(userToken), runner: caller(runnerToken) } as unknown as TestApi;
  const version = await seedVersion(t);
  const { modelVersionId } = await registerModel(t, version.id);
  const job = await createJob(t, version.id);

  const context = await browser.newContext(PHONE);
  // Which tab opened each stream: whichever asks for the lock first leads, so either may.
  const streams: { url: string; page: Page | null }[] = [];
  context.on('request', (r) => {
    if (new URL(r.url()).pathname !== '/api/events') return;
    streams.push({ url: r.url(), page: r.frame().page() });
  });
  const first = await context.newPage();
  await first.goto(`${server.url}/jobs/${job.id}?token=${userToken}`);
  const second = await context.newPage();
  await second.goto(`${server.url}/jobs/${job.id}`);
  for (const page of [first, second]) {
    await expect.poll(() => page.getByTestId('job-status').textContent()).toBe('queued');
    await listen(page);
  }

  // A promote reaches both tabs.
  await t.user('/api/channels/promote', {
    method: 'POST',
    json: { channel: 'cards/production', modelId: modelVersionId },
  });
  for (const page of [first, second]) {
    await expect.poll(() => heardMoves(page)).toHaveLength(1);
    expect(await heardMoves(page)).toEqual([expect.stringContaining(modelVersionId)]);
  }

  // A job event reaches both tabs' job pages.
  const lease = (await (
    await t.runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'e2e' } })
  ).json()) as Lease;
  for (const page of [first, second]) {
    await expect.poll(() => page.getByTestId('job-status').textContent()).toBe('preparing');
  }
  expect(streams).toHaveLength(1);
  expect(streams[0]!.url).toContain('ticket=');
  expect(streams[0]!.url).not.toContain(userToken);
  const leader = streams[0]!.page === first ? first : second;
  const follower = leader === first ? second : first;

  // The leader closes; the other tab reconnects from the last id it heard and misses nothing,
  // whether this epoch is stored before its new stream opens (replay) or after (live).
  await leader.close();
  const report = (epoch: number) =>
    t.runner(`/api/runner/jobs/${job.id}/events`, {
      method: 'POST',
      json: {
        leaseToken: lease.leaseToken,
        events: [{ type: 'epoch', epoch, metrics: { 'train/box_loss': 1 / epoch } }],
      },
    });
  await report(1);
  await expect.poll(() => streams.length).toBe(2);
  await report(2);
  await expect.poll(() => follower.getByTestId('epoch-count').textContent()).toBe('2 epochs');
  expect(streams[1]!.page).toBe(follower);
  expect(streams[1]!.url).toMatch(/ticket=.*after=\d+-\d+|after=\d+-\d+.*ticket=/);
  expect(streams[1]!.url).not.toContain(userToken);
  await context.close();
});
