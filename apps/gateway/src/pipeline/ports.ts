import type { InputFacts } from '@mserve/contracts';

/**
 * The side effects the submit pipeline and the waits depend on, as small interfaces: Redis-backed in the running
 * gateway (`store.ts`, `waiters.ts`), in-memory fakes in the pipeline's unit tests.
 */
import type { InferenceJobData, WebhookEvent } from '@mserve/contracts';
import type { JobSnapshot } from './job-snapshot';

/** The job store as the pipeline sees it; every method rejects with REDIS_UNAVAILABLE when the store is away. */
export interface JobRepository {
  /** Jobs waiting for a worker (the backpressure measure). */
  waitingCount(): Promise<number>;
  /** Adds a job of its own under `id`; `rank` is its fair-share rank in its tenant (see {@link TenantAdmission}). */
  enqueue(id: string, data: InferenceJobData, rank?: number): Promise<void>;
  /** Adds several jobs of their own in one round trip, each under its own id with its own retention. */
  enqueueMany(jobs: Array<{ id: string; data: InferenceJobData; rank?: number }>): Promise<void>;
  /** Adds a batch job of grouped synchronous predictions. */
  enqueueBatch(batchId: string, items: InferenceJobData[]): Promise<void>;
  /** A job's (or a grouped prediction's) snapshot, or null when the id is unknown or expired. */
  get(id: string): Promise<JobSnapshot | null>;
}

/**
 * Per-tenant accounting of unfinished jobs: the tenant quota and the fair-share rank (a job's position among its
 * tenant's unfinished jobs; workers take lower ranks first, so tenants are served round-robin).
 */
export interface TenantAdmission {
  /** Counts job `id` against `tenant`; its rank, or 429 TENANT_QUOTA when the tenant is at its limit. */
  admitTenantJob(tenant: string, id: string): Promise<number>;
  /** Uncounts a job that ended without a worker (canceled, expired) or was never enqueued. */
  releaseTenantJob(tenant: string, id: string): Promise<void>;
}

/** How a stop request found the job: unknown, already finished, running (flagged only), or stopped while queued. */
export type StopResult = 'missing' | 'finished' | 'active' | 'stopped';

/** Ending jobs before they run: cancel and expiry. */
export interface JobControl {
  /**
   * Stops a job of its own atomically: a queued one ends failed with `code` (never run); a running one is only
   * flagged, and the worker stops it if it has not started its inference yet.
   */
  stop(id: string, code: 'CANCELED' | 'EXPIRED', message: string): Promise<StopResult>;
  /** Queues the webhook of `event` for a job the gateway itself ended (the worker never saw it). */
  notify(jobId: string, event: WebhookEvent, data: JobSnapshot['data'], payload: unknown): Promise<void>;
}

/**
 * How a wait ended. `completed` and `failed` carry what the completion event said, so the caller can answer
 * without reading the job back; `ended` means the job finished or vanished but the outcome must be read from the
 * store (found by a re-check, or removed); `timeout` covers both the deadline and a cancel.
 */
export type Ending =
  | { kind: 'completed'; returnvalue: unknown; at: number }
  | { kind: 'failed'; reason: string; at: number }
  | { kind: 'ended' }
  | { kind: 'timeout' };

/** A registered wait for one job's end. */
export interface Wait {
  done: Promise<Ending>;
  cancel(): void;
}

/** Registers waits for job ends (completion events, with a periodic re-check behind them). */
export interface JobWaiters {
  /** Registers a wait for `jobId` lasting at most `timeoutMs`; register before enqueueing so no end is missed. */
  wait(jobId: string, timeoutMs: number): Wait;
}

/** Image bytes to the model's input tensor plus the facts the OOD detector needs; throws IMAGE_* AppErrors. */
export type Preprocessor = (image: Buffer) => Promise<{
  tensor: Float32Array;
  shape: number[];
  /** Facts about the upload; `inkFraction` is 0 when no ink was found. */
  facts: InputFacts;
  ms: number;
}>;

/** Refuses webhook URLs the service must not call (SSRF guard); throws WEBHOOK_URL_REFUSED. */
export type WebhookUrlGuard = (url: string) => Promise<void>;

/** Delivery state of a job's webhook, or null when it has none. */
export type WebhookStateReader = (jobId: string) => Promise<Record<string, unknown> | null>;

/** What the pipeline reports for metrics. */
export interface PipelineMetrics {
  /** An image was preprocessed in `ms`. */
  preprocessed(ms: number): void;
  /** A job (or a prediction of a batch job) was enqueued. */
  submitted(): void;
  /** A submission was not enqueued because the queue was full or the store away. */
  enqueueFailed(code: 'QUEUE_FULL' | 'REDIS_UNAVAILABLE'): void;
  /** A batch job of `size` grouped predictions was enqueued. */
  batched(size: number): void;
}
