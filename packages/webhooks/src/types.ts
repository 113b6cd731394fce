/** BullMQ queue carrying webhook deliveries; only the notifier consumes it. */
export const WEBHOOK_QUEUE = 'webhooks';

/** Job outcomes a client can subscribe to. */
export type WebhookEvent = 'completed' | 'failed';

/** Every event, in a stable order; also the default subscription. */
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['completed', 'failed'];

/** What a client asks for at submission: where to deliver and which outcomes. */
export interface WebhookRequest {
  url: string;
  /** Outcomes to deliver; all of them when absent. */
  events?: WebhookEvent[];
}

/** Data of one delivery job in {@link WEBHOOK_QUEUE}; the body is fixed at enqueue so retries send the same bytes. */
export interface DeliveryJobData {
  /** The inference job this delivery reports on. */
  jobId: string;
  event: WebhookEvent;
  url: string;
  /** Standard Webhooks message id: the same on every attempt, so receivers can deduplicate. */
  messageId: string;
  /** Exact JSON text sent (and signed) on every attempt. */
  body: string;
  requestId?: string;
}

/** Progress record the notifier writes after each attempt (BullMQ job progress). */
export interface DeliveryProgress {
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** Delivery state shown on the job's `GET` as `webhook`. */
export interface DeliveryState {
  state: 'pending' | 'delivering' | 'delivered' | 'retrying' | 'dead';
  attempts: number;
  lastStatus: number | null;
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
