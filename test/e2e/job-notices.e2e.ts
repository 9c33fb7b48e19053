// The job page in Chromium shows the notices a runner sent before the page was opened (read from
// the job's stored log) and those that arrive while it is open (live), each once.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetVersion, Job, Lease } from '../../server/contract';
import {
  testImage,
  testImageSha,
  testManifest,
  tokenCaller,
} from '../../server/testing/test-server';
import { launchChromium, PHONE } from './browser';
import { startLabelingServer } from './labeling-helpers';

let server: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;

beforeAll(async () => {
  server = await startLabelingServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('job notices', () => {
  it('shows notices sent before the page opened and after, each once', async () => {
    const call = tokenCaller((path, init) => fetch(server.url + path, init));
    const user = call(server.tokens.userToken);
    const runner = call(server.tokens.runnerToken);
    await user(`/api/blobs/${testImageSha}`, { method: 'PUT', body: testImage });
    const version = (await (
      await user('/api/dataset-versions', { method: 'POST', json: testManifest() })
    ).json()) as DatasetVersion;
    const job = (await (
      await user('/api/jobs', {
        method: 'POST',
        json: { datasetVersionId: version.id, task: 'detect' },
      })
    ).json()) as Job;
    // No gpu-runner here (LOUPE_RUNNER off): the test leases the job as one would.
    const lease = (await (
      await runner('/api/runner/lease', { method: 'POST', json: { runnerId: 'test' } })
    ).json()) as Lease;
    const notice = (message: string) =>
      runner(`/api/runner/jobs/${job.id}/events`, {
        method: 'POST',
        json: {
          leaseToken: lease.leaseToken,
          events: [{ type: 'notice', level: 'warning', message }],
        },
      });
    await notice('out of memory, retrying with batch 8');

    const page = await browser.newPage({ ...PHONE });
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${server.url}/jobs/${job.id}?token=${server.tokens.userToken}`);
    const shown = () => page.getByTestId('job-notice').allTextContents();
    await expect.poll(shown).toEqual(['out of memory, retrying with batch 8']);

    await notice('retrying with batch 4');
    await expect
      .poll(shown)
      .toEqual(['out of memory, retrying with batch 8', 'retrying with batch 4']);
    // A reload reads both from the log and shows neither twice.
    await page.reload();
    await expect
      .poll(shown)
      .toEqual(['out of memory, retrying with batch 8', 'retrying with batch 4']);
  });
});
