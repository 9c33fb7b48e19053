import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CreateJobRequest } from '../contract';
import { createTestApi, seedVersion } from '../testing/test-server';
import { startJobWebhook, type WebhookPayload } from './job-webhook';

let t: Awaited<ReturnType<typeof createTestApi>>;
beforeEach(async () => {
  t = await createTestApi();
});
afterEach(() => t.close());

const readBody = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return JSON.parse(body) as WebhookPayload;
};

it('posts to the webhook once when a job ends, and not for other events', async () => {
  const received: WebhookPayload[] = [];
  const hook = createServer((req, res) => {
    void readBody(req).then((payload) => {
      received.push(payload);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const stop = startJobWebhook(t.services.bus, url, 'http://loupe.test', (id) =>
    t.services.jobs.get(id),
  );

  const version = await seedVersion(t);
  const job = t.services.jobs.create(
    CreateJobRequest.parse({ datasetVersionId: version.id, task: 'detect' }),
  );
  t.services.jobs.cancel(job.id);

  await expect.poll(() => received.length).toBe(1);
  expect(received[0]).toEqual({
    event: 'job.ended',
    job: {
      id: job.id,
      status: 'cancelled',
      error: 'cancelled before it started',
      modelVersionId: null,
    },
    url: `http://loupe.test/jobs/${job.id}`,
  });
  stop();
  hook.close();
});
