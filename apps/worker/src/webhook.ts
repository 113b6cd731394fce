import type { InferenceJobData, WebhookEvent } from '@mserve/contracts';
import { WEBHOOK_QUEUE, enqueueWebhook } from '@mserve/webhooks';
import { bullConnection, type RedisEndpoint } from '@mserve/redis';
import { Queue } from 'bullmq';

/** What the worker hands over when a job with a webhook ends. */
export interface WebhookNotice {
  jobId: string;
  event: WebhookEvent;
  data: Pick<InferenceJobData, 'webhook' | 'requestId'>;
  payload: unknown;
}

/** Enqueues the delivery of a webhook; resolves once it is safely queued (before the job is completed). */
export type WebhookNotifier = (notice: WebhookNotice) => Promise<void>;

/** True when the job asked to be told about `event`. */
export function wantsWebhook(data: Pick<InferenceJobData, 'webhook'>, event: WebhookEvent): boolean {
  return !!data.webhook && data.webhook.events.includes(event);
}

/**
 * Hands deliveries to the notifier's queue. The worker never calls receivers itself: a slow receiver must not
 * hold an inference slot, and only the notifier needs egress. Enqueueing is idempotent per (job, event), so a job
 * re-run after a crash does not queue a second delivery.
 */
export function createWebhookNotifier(
  endpoint: RedisEndpoint,
  prefix: string,
): { notify: WebhookNotifier; close(): Promise<void> } {
  let queue: Queue | undefined;
  return {
    notify: async ({ jobId, event, data, payload }) => {
      if (!data.webhook) return;
      queue ??= new Queue(WEBHOOK_QUEUE, { connection: bullConnection(endpoint, 'command'), prefix });
      await enqueueWebhook(queue, {
        jobId,
        event,
        url: data.webhook.url,
        payload,
        ...(data.requestId ? { requestId: data.requestId } : {}),
      });
    },
    close: async () => {
      await queue?.close();
    },
  };
}
