import type { WebhookEvent } from './types';

// BullMQ refuses custom ids containing ':' (its key separator) and ids that look like integers.
function safe(id: string): string {
  return id.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** BullMQ job id of the delivery of `event` for inference job `jobId`: deterministic, so enqueueing twice is a no-op. */
export function deliveryJobId(jobId: string, event: WebhookEvent): string {
  return `wh-${event}-${safe(jobId)}`;
}

/** Standard Webhooks message id (`webhook-id`) of that delivery: stable across retries and re-enqueues. */
export function webhookMessageId(jobId: string, event: WebhookEvent): string {
  return `msg_${event}_${safe(jobId)}`;
}
