import type { WebhookEvent, WebhookRequest } from '@mserve/contracts';

/** BullMQ queue carrying webhook deliveries; only the notifier consumes it. */
export const WEBHOOK_QUEUE = 'webhooks';

// Event names, the submission's `webhook`, the delivery state a job's GET shows and the payload receivers get are
// wire shapes: defined once in the contracts, re-exported here for the notifier and the gateway.
export { WEBHOOK_EVENTS } from '@mserve/contracts';
export type {
  WebhookDeliveryState as DeliveryState,
  WebhookEvent,
  WebhookPayload,
  WebhookRequest,
} from '@mserve/contracts';

/** Data of one delivery job in {@link WEBHOOK_QUEUE}; the body is fixed at enqueue so retries send the same bytes. */
export interface DeliveryJobData {
  /** The inference job this delivery reports on. */
  jobId: string;
  event: WebhookEvent;
  url: string;
  /** Standard Webhooks message id: the same on every attempt, so receivers can deduplicate. */
  messageId: string;
  /** Exact JSON text of the {@link WebhookPayload} sent (and signed) on every attempt. */
  body: string;
  requestId?: string;
  /** W3C trace context of the worker's job span (present only while tracing is on). */
  trace?: { traceparent: string; tracestate?: string };
  /** The job's tenant: its deliveries are signed with the tenant's own secrets (absent while auth is off). */
  tenant?: string;
}

/** Progress record the notifier writes after each attempt (BullMQ job progress). */
export interface DeliveryProgress {
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** One dead-lettered delivery, as `GET /dead-letters` lists it. */
export interface DeadLetter {
  deliveryId: string;
  jobId: string;
  event: WebhookEvent;
  url: string;
  messageId: string;
  attempts: number;
  lastStatus: number | null;
  reason: string;
  failedAt: string | null;
}

/** True when `request` subscribes to `event` (all events when it lists none). */
export function wantsEvent(request: WebhookRequest, event: WebhookEvent): boolean {
  return request.events === undefined || request.events.length === 0 || request.events.includes(event);
}
