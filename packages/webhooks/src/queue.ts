import type { Job, JobsOptions, Queue } from 'bullmq';
import { deliveryJobId, webhookMessageId } from './ids';
import type { DeadLetter, DeliveryJobData, DeliveryProgress, DeliveryState, WebhookEvent } from './types';
import { WEBHOOK_EVENTS } from './types';

/**
 * Attempts BullMQ is told about. The notifier owns the real retry schedule (it stops with an unrecoverable error
 * after its last configured attempt), so changing the schedule never requires touching the enqueuers.
 */
export const DELIVERY_ATTEMPTS_CEILING = 1000;

/** Backoff type name the notifier registers its strategy under. */
export const WEBHOOK_BACKOFF_TYPE = 'webhook';

const DAY_S = 24 * 3600;

/** Job options of every delivery: retention keeps delivered state visible for a week and dead letters a month. */
export function deliveryJobOptions(jobId: string, event: WebhookEvent): JobsOptions {
  return {
    jobId: deliveryJobId(jobId, event),
    attempts: DELIVERY_ATTEMPTS_CEILING,
    backoff: { type: WEBHOOK_BACKOFF_TYPE },
    removeOnComplete: { age: 7 * DAY_S },
    removeOnFail: { age: 30 * DAY_S },
  };
}

/** The Standard Webhooks payload envelope: `{type, timestamp, data}`; `type` is `job.<event>` unless given. */
export function webhookBody(
  event: WebhookEvent,
  payload: unknown,
  at: Date = new Date(),
  type = `job.${event}`,
): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data: payload });
}

/**
 * Queues the delivery of `event` for inference job (or batch) `jobId` to `url`, in an envelope of `type`.
 * Idempotent: the BullMQ job id is derived from (jobId, event), so an inference worker that retries after a crash
 * never queues a second delivery.
 * The URL must already have passed {@link assertDeliverableUrl} at submission; the notifier checks it again.
 */
export async function enqueueWebhook(
  queue: Queue,
  d: {
    jobId: string;
    event: WebhookEvent;
    url: string;
    payload: unknown;
    requestId?: string;
    /** Envelope type; `job.<event>` when absent. */
    type?: string;
    trace?: DeliveryJobData['trace'];
    tenant?: string;
  },
): Promise<void> {
  const data: DeliveryJobData = {
    jobId: d.jobId,
    event: d.event,
    url: d.url,
    messageId: webhookMessageId(d.jobId, d.event),
    body: webhookBody(d.event, d.payload, new Date(), d.type),
    ...(d.requestId !== undefined ? { requestId: d.requestId } : {}),
    ...(d.trace ? { trace: d.trace } : {}),
    ...(d.tenant !== undefined ? { tenant: d.tenant } : {}),
  };
  await queue.add(`webhook.${d.event}`, data, deliveryJobOptions(d.jobId, d.event));
}

function progressOf(job: Job): DeliveryProgress {
  const p = job.progress as Partial<DeliveryProgress> | number | undefined;
  if (typeof p !== 'object' || p === null)
    return { attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: null };
  return {
    attempts: typeof p.attempts === 'number' ? p.attempts : 0,
    lastStatus: typeof p.lastStatus === 'number' ? p.lastStatus : null,
    lastError: typeof p.lastError === 'string' ? p.lastError : null,
    nextAttemptAt: typeof p.nextAttemptAt === 'string' ? p.nextAttemptAt : null,
  };
}

async function findDelivery(queue: Queue, jobId: string): Promise<Job<DeliveryJobData> | undefined> {
  for (const event of WEBHOOK_EVENTS) {
    const job = (await queue.getJob(deliveryJobId(jobId, event))) as Job<DeliveryJobData> | undefined;
    if (job) return job;
  }
  return undefined;
}

/**
 * Delivery state of inference job `jobId`'s webhook, for its `GET`: `null` when none was queued (no webhook
 * requested, not finished yet, or not subscribed to this outcome).
 */
export async function getDeliveryState(queue: Queue, jobId: string): Promise<DeliveryState | null> {
  const found = await findDelivery(queue, jobId);
  if (!found) return null;
  const bullState = await found.getState();
  // The notifier writes progress before every state change, so progress read after the state is at least as new:
  // a delivery seen as finished never shows the progress of the attempt before (read the other way round, a
  // replayed delivery could read 'delivered' with the 500 of its last failed attempt).
  const job = (await queue.getJob(found.id ?? '')) ?? found;
  const p = progressOf(job);
  let state: DeliveryState['state'];
  switch (bullState) {
    case 'completed':
      state = 'delivered';
      break;
    case 'failed':
      state = 'dead';
      break;
    case 'active':
      state = 'delivering';
      break;
    default:
      state = p.attempts > 0 ? 'retrying' : 'pending';
  }
  const waiting = state === 'retrying' || state === 'pending';
  return { state, attempts: p.attempts, lastStatus: p.lastStatus, nextAttemptAt: waiting ? p.nextAttemptAt : null };
}

function toDeadLetter(job: Job<DeliveryJobData>): DeadLetter {
  const p = progressOf(job);
  return {
    deliveryId: job.id ?? '',
    jobId: job.data.jobId,
    event: job.data.event,
    url: job.data.url,
    messageId: job.data.messageId,
    attempts: p.attempts,
    lastStatus: p.lastStatus,
    reason: job.failedReason ?? p.lastError ?? 'unknown',
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

/** Dead-lettered deliveries (retries exhausted, 410 Gone, or a refused URL), newest first. */
export async function listDeadLetters(
  queue: Queue,
  opts: { start?: number; end?: number } = {},
): Promise<DeadLetter[]> {
  const jobs = (await queue.getFailed(opts.start ?? 0, opts.end ?? 99)) as Array<Job<DeliveryJobData>>;
  return jobs.filter((j) => j !== undefined && j !== null).map(toDeadLetter);
}

/** Number of dead-lettered deliveries. */
export async function countDeadLetters(queue: Queue): Promise<number> {
  return queue.getFailedCount();
}

/**
 * Puts a dead-lettered delivery back in the queue (after the receiver was fixed): the retry schedule starts over,
 * the message id stays the same, the attempt count keeps growing.
 * @returns false when no dead letter has that id
 */
export async function retryDeadLetter(queue: Queue, deliveryId: string): Promise<boolean> {
  const job = await queue.getJob(deliveryId);
  if (!job || (await job.getState()) !== 'failed') return false;
  await job.retry('failed', { resetAttemptsMade: true });
  return true;
}
