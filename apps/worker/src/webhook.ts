import type { InferenceJobData, WebhookEvent } from '@mserve/contracts';
import { injectContext } from '@mserve/tracing';
import { WEBHOOK_QUEUE, batchKey, enqueueBatchWebhook, enqueueWebhook, recordBatchEnd } from '@mserve/webhooks';
import { createRedis, queueNameFor, type RedisClient, type RedisEndpoint } from '@mserve/redis';
import { Queue } from 'bullmq';

/** What the worker hands over when a job with a webhook ends. */
export interface WebhookNotice {
  jobId: string;
  event: WebhookEvent;
  data: Pick<InferenceJobData, 'webhook' | 'requestId' | 'batch' | 'tenant'>;
  payload: unknown;
  /** The queue the job came from: a batch's record sits beside it (set by the consumer, see `run.ts`). */
  queue?: string;
}

/** Enqueues the delivery of a webhook; resolves once it is safely queued (before the job is completed). */
export type WebhookNotifier = (notice: WebhookNotice) => Promise<void>;

/** True when the job asked to be told about `event`, or reports to its batch's webhook (which counts every end). */
export function wantsWebhook(data: Pick<InferenceJobData, 'webhook' | 'batch'>, event: WebhookEvent): boolean {
  return !!data.batch || (!!data.webhook && data.webhook.events.includes(event));
}

/**
 * Hands deliveries to the notifier's queue; a job of a batch with a batch webhook records its end in the batch
 * instead, and the last job of the batch queues the batch's one delivery. The worker never calls receivers itself: a slow receiver must not
 * hold an inference slot, and only the notifier needs egress. Enqueueing is idempotent per (job, event), so a job
 * re-run after a crash does not queue a second delivery.
 */
export function createWebhookNotifier(
  endpoint: RedisEndpoint,
  prefix: string,
): { notify: WebhookNotifier; close(): Promise<void> } {
  let redis: RedisClient | undefined;
  let queue: Queue | undefined;
  return {
    notify: async ({ jobId, event, data, payload, queue: jobQueue }) => {
      if (!data.webhook && !data.batch) return;
      redis ??= createRedis(endpoint, 'command');
      queue ??= new Queue(queueNameFor(endpoint, WEBHOOK_QUEUE), { connection: redis, prefix });
      if (data.batch) {
        if (!jobQueue) throw new Error(`job ${jobId} of batch ${data.batch}: its queue is unknown`);
        const key = batchKey(prefix, jobQueue, data.batch);
        const done = await recordBatchEnd(redis, key, data.batch, jobId, event);
        if (done) await enqueueBatchWebhook(queue, done, data);
        return;
      }
      if (!data.webhook) return;
      // The delivery continues the trace of the job it reports on (the active span: the worker's job span).
      const trace = injectContext();
      await enqueueWebhook(queue, {
        ...(trace ? { trace } : {}),
        jobId,
        event,
        url: data.webhook.url,
        payload,
        ...(data.requestId ? { requestId: data.requestId } : {}),
        ...(data.tenant ? { tenant: data.tenant } : {}),
      });
    },
    close: async () => {
      await queue?.close();
      await redis?.quit().catch(() => undefined);
    },
  };
}
