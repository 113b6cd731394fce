import { SpanKind, extractContext, inSpan } from '@mserve/tracing';
import { UnrecoverableError, type Job } from 'bullmq';
import { isAppError, type Logger } from '@mserve/common';
import {
  WebhookDnsError,
  resolveDeliverableUrl,
  signWebhook,
  type AllowList,
  type DeliveryJobData,
  type DeliveryProgress,
} from '@mserve/webhooks';
import type { NotifierMetrics } from './metrics';
import { parseRetryAfter, retryDelay } from './schedule';
import { sendOnce, SendError, type SendResult } from './send';

/** What the processor needs, resolved once at start-up. */
export interface ProcessorDeps {
  /** The service-wide secrets (WEBHOOK_SECRETS): they sign deliveries of jobs without a tenant (auth off). */
  secrets: readonly string[];
  /**
   * A tenant's own secrets, newest first (`pnpm keys webhook-secret`): they sign its jobs' deliveries, so one
   * tenant's receivers can never forge another's. Without it every delivery uses `secrets`.
   */
  tenantSecrets?: (tenant: string) => Promise<readonly string[]>;
  allow: AllowList;
  schedule: readonly number[];
  jitter: number;
  retryAfterMaxMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  log: Logger;
  metrics: NotifierMetrics;
  userAgent?: string;
}

/** The job's tenant has no webhook secret (`pnpm keys webhook-secret rotate --tenant <t>` gives it one). */
class MissingSecretError extends Error {
  constructor(tenant: string) {
    super(`WEBHOOK_SECRET_MISSING: tenant ${tenant} has no webhook secret; not sent unsigned or with another secret`);
    this.name = 'MissingSecretError';
  }
}

/** A failed attempt that will be retried after `delayMs` (read back by the backoff strategy). */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

/**
 * BullMQ backoff strategy of the webhook queue: the delay was decided by the processor (schedule, jitter or the
 * receiver's Retry-After) and travels on the error. Anything else (a stalled job's error) falls back to the
 * schedule.
 */
export function backoffStrategy(deps: Pick<ProcessorDeps, 'schedule' | 'jitter'>) {
  return (attemptsMade: number, _type?: string, err?: Error): number =>
    err instanceof RetryableDeliveryError ? err.delayMs : retryDelay(deps.schedule, attemptsMade, deps.jitter);
}

function progressOf(job: Job<DeliveryJobData>): DeliveryProgress {
  const p = job.progress as Partial<DeliveryProgress> | number;
  return typeof p === 'object' && p !== null
    ? {
        attempts: p.attempts ?? 0,
        lastStatus: p.lastStatus ?? null,
        lastError: p.lastError ?? null,
        nextAttemptAt: p.nextAttemptAt ?? null,
      }
    : { attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: null };
}

type Outcome =
  | { kind: 'success'; result: SendResult }
  | { kind: 'dead'; reason: string; status: number | null }
  | { kind: 'retry'; reason: string; status: number | null; retryAfterMs: number | null };

function classify(result: SendResult): Outcome {
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'success', result };
  if (status === 410) return { kind: 'dead', reason: '410 Gone: the receiver unsubscribed', status };
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(result.retryAfter) : null;
  const why = status >= 300 && status < 400 ? 'redirect not followed' : 'non-2xx response';
  return { kind: 'retry', reason: `HTTP ${status} (${why})`, status, retryAfterMs };
}

/** One delivery attempt: re-check the URL, sign, send, and decide between done, retry and dead letter. */
export function createProcessor(deps: ProcessorDeps) {
  const maxAttempts = deps.schedule.length + 1;
  const deliver = deliveryAttempt(deps, maxAttempts);
  // One span per attempt, continuing the trace of the job the webhook reports on (no-op while tracing is off).
  return (job: Job<DeliveryJobData>) =>
    inSpan(
      'webhook delivery',
      {
        kind: SpanKind.CLIENT,
        parent: extractContext(job.data.trace),
        attributes: { 'mserve.job_id': job.data.jobId, 'mserve.webhook_event': job.data.event },
      },
      () => deliver(job),
    );
}

function deliveryAttempt(deps: ProcessorDeps, maxAttempts: number) {
  return async (job: Job<DeliveryJobData>): Promise<{ status: number; attempts: number }> => {
    const d = job.data;
    const log = deps.log.child({ deliveryId: job.id, jobId: d.jobId, event: d.event, requestId: d.requestId });
    const prev = progressOf(job);
    const attempt = prev.attempts + 1;
    // Counted before sending, so an attempt cut short by a crash still shows up.
    await job.updateProgress({ ...prev, attempts: attempt, nextAttemptAt: null } satisfies DeliveryProgress);

    let outcome: Outcome;
    try {
      const secrets = d.tenant && deps.tenantSecrets ? await deps.tenantSecrets(d.tenant) : deps.secrets;
      if (secrets.length === 0) throw new MissingSecretError(d.tenant ?? '');
      const target = await resolveDeliverableUrl(d.url, { allow: deps.allow });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': deps.userAgent ?? 'mserve-notifier/0.1',
        ...(d.requestId ? { 'x-request-id': d.requestId } : {}),
        ...signWebhook(d.messageId, timestamp, d.body, secrets),
      };
      const result = await sendOnce({
        target,
        headers,
        body: d.body,
        timeoutMs: deps.timeoutMs,
        maxResponseBytes: deps.maxResponseBytes,
        allow: deps.allow,
      });
      deps.metrics.attemptSeconds.observe(result.durationMs / 1000);
      outcome = classify(result);
    } catch (err) {
      if (err instanceof MissingSecretError) {
        // Never fall back to the shared secret: that is the forgery across tenants per-tenant secrets prevent.
        outcome = { kind: 'dead', reason: err.message, status: null };
      } else if (isAppError(err) && err.code === 'WEBHOOK_URL_REFUSED') {
        outcome = { kind: 'dead', reason: `WEBHOOK_URL_REFUSED: ${err.message}`, status: null };
      } else if (err instanceof SendError && err.kind === 'refused-peer') {
        outcome = { kind: 'dead', reason: `WEBHOOK_URL_REFUSED: ${err.message}`, status: null };
      } else if (err instanceof SendError || err instanceof WebhookDnsError) {
        outcome = { kind: 'retry', reason: err.message, status: null, retryAfterMs: null };
      } else {
        throw err;
      }
    }

    if (outcome.kind === 'success') {
      const status = outcome.result.status;
      await job.updateProgress({ attempts: attempt, lastStatus: status, lastError: null, nextAttemptAt: null });
      deps.metrics.attempts.inc({ outcome: 'success' });
      deps.metrics.deliveries.inc({ result: 'delivered' });
      log.info({ attempt, status, ms: outcome.result.durationMs }, 'webhook delivered');
      return { status, attempts: attempt };
    }

    const exhausted = outcome.kind === 'retry' && job.attemptsMade + 1 >= maxAttempts;
    if (outcome.kind === 'dead' || exhausted) {
      const reason = exhausted
        ? `retries exhausted after ${attempt} attempts; last: ${outcome.reason}`
        : outcome.reason;
      await job.updateProgress({
        attempts: attempt,
        lastStatus: outcome.status,
        lastError: reason,
        nextAttemptAt: null,
      });
      deps.metrics.attempts.inc({ outcome: outcome.kind === 'dead' ? 'dead' : 'failed' });
      deps.metrics.deliveries.inc({ result: 'dead' });
      log.warn({ attempt, status: outcome.status, reason }, 'webhook dead-lettered');
      throw new UnrecoverableError(reason);
    }

    const scheduled = retryDelay(deps.schedule, job.attemptsMade + 1, deps.jitter);
    const delayMs =
      outcome.retryAfterMs !== null ? Math.min(outcome.retryAfterMs, deps.retryAfterMaxMs) : Math.max(scheduled, 0);
    const nextAttemptAt = new Date(Date.now() + delayMs).toISOString();
    await job.updateProgress({
      attempts: attempt,
      lastStatus: outcome.status,
      lastError: outcome.reason,
      nextAttemptAt,
    });
    deps.metrics.attempts.inc({ outcome: 'failed' });
    log.info(
      { attempt, status: outcome.status, reason: outcome.reason, delayMs },
      'webhook attempt failed; will retry',
    );
    throw new RetryableDeliveryError(outcome.reason, delayMs);
  };
}
