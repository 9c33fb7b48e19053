import { FINAL_JOB_STATUSES, type Job } from '../contract';
import type { JobEventBus } from './job-event-bus';

export type WebhookPayload = {
  event: 'job.ended';
  job: Pick<Job, 'id' | 'status' | 'error' | 'modelVersionId'>;
  url: string;
};

const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;

/**
 * Posts to a user's webhook (mail, chat) when a job ends. Delivery is best effort, off the
 * request path, with a few retries; a failing webhook is logged and never affects the job.
 */
export function startJobWebhook(
  bus: JobEventBus,
  webhookUrl: string,
  publicUrl: string,
  getJob: (id: string) => Job,
) {
  return bus.subscribeAll((jobId, { event }) => {
    if (event.type !== 'status' || !FINAL_JOB_STATUSES.includes(event.status)) return;
    const { id, status, error, modelVersionId } = getJob(jobId);
    const payload: WebhookPayload = {
      event: 'job.ended',
      job: { id, status, error, modelVersionId },
      url: `${publicUrl}/jobs/${id}`,
    };
    void deliver(webhookUrl, payload);
  });
}

async function deliver(url: string, payload: WebhookPayload) {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (res.ok) return;
      console.warn(`server: webhook answered ${res.status} (attempt ${attempt})`);
    } catch (error) {
      console.warn(`server: webhook failed (attempt ${attempt}): ${String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
  }
}
