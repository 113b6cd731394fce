/**
 * The submit pipeline, one function per step: validate the parameters, check the webhook URL, check backpressure,
 * preprocess the image, refuse a blank one, build the job payload, enqueue it. Plain functions over the ports of `ports.ts`, so they run
 * without HTTP or Redis.
 */
import { SpanKind, inSpan, injectContext } from '@mserve/tracing';
import { randomUUID } from 'node:crypto';
import { AppError } from '@mserve/common';
import { encodeTensor, type InferenceJobData, type InferenceParams } from '@mserve/contracts';
import { deadlineAt } from './deadline';
import { parseParams, type RequestParams } from './params';
import type { PredictionBatcher } from './predict-batcher';
import type { JobRepository, JobWaiters, PipelineMetrics, Preprocessor, Wait, WebhookUrlGuard } from './ports';

/** An image submission, whatever its encoding, with its parameter fields merged (query string first). */
export interface Submission {
  image: Buffer;
  fields: Record<string, unknown>;
  /** The `Cancel-After` header, in ms. */
  cancelAfterMs?: number;
  /** Every image of a bulk submission (several `image` parts, or a JSON `images` array); `image` is the first. */
  images?: Buffer[];
  /** A model input given as a tensor (the inference protocols' FP32 inputs): used instead of preprocessing `image`. */
  prepared?: Preprocessed;
}

/** What {@link preprocessImage} hands on: the model input and the facts about the upload. */
export type Preprocessed = Awaited<ReturnType<Preprocessor>>;

/** Where a submission went: its id, its item index in a batch job, and for predictions the registered wait. */
export interface Enqueued {
  id: string;
  index?: number;
  wait?: Wait;
}

/** Step 2: a webhook URL must be one the service may call (422 WEBHOOK_URL_REFUSED otherwise). */
export async function checkWebhook(params: RequestParams, guard: WebhookUrlGuard): Promise<void> {
  if (params.webhook) await guard(params.webhook.url);
}

/** Step 3: refuse (429 QUEUE_FULL) when the queue holds `limit` waiting jobs or more. */
export async function checkBackpressure(
  jobs: Pick<JobRepository, 'waitingCount'>,
  limit: number,
  gauge?: QueueGauge,
): Promise<void> {
  const waiting = await jobs.waitingCount();
  gauge?.saw(waiting);
  if (waiting >= limit) {
    throw new AppError('QUEUE_FULL', `the queue holds ${waiting} waiting jobs (limit ${limit})`);
  }
}

/**
 * The last waiting count a check saw, and when. While the queue was recently far from full, the check runs during
 * the preprocessing instead of before it, which takes its Redis round trip off a lone request's latency; near the
 * limit (or with no recent reading) it runs first, so that under overload a refusal still costs no decoding. Either
 * way every submission is checked, and refused on what the check reads.
 */
export class QueueGauge {
  private waiting = Number.POSITIVE_INFINITY;
  private at = Number.NEGATIVE_INFINITY;

  constructor(
    /** How long a reading counts as recent, in ms. */
    private readonly freshMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a count read from Redis. */
  saw(waiting: number): void {
    this.waiting = waiting;
    this.at = this.now();
  }

  /** Whether a recent reading was below half of `limit`. */
  farBelow(limit: number): boolean {
    return this.now() - this.at <= this.freshMs && this.waiting < limit / 2;
  }
}

/** Step 4: the image to the model's input tensor (IMAGE_* errors for uploads that are no usable image). */
export async function preprocessImage(
  preprocess: Preprocessor,
  image: Buffer,
  metrics: Pick<PipelineMetrics, 'preprocessed'>,
): Promise<Preprocessed> {
  const pre = await preprocess(image);
  metrics.preprocessed(pre.ms);
  return pre;
}

/**
 * Share of strong edges below which an image without ink is a blank page (uniform colour, paper grain, a smooth
 * gradient: all measure 0). A picture with structure but no strokes the ink separation keeps (a photo: ~0.25) is
 * not blank: it is answered, and its uncertainty says not to trust the answer.
 */
export const BLANK_EDGE_DENSITY = 0.01;

/**
 * Step 5: a blank image is refused (422 IMAGE_BLANK) rather than enqueued: the model would classify the all-zero
 * input it becomes as some digit, with nothing in the image to back it.
 */
export function checkInk(pre: Preprocessed): void {
  if (pre.facts.inkFraction === 0 && pre.facts.edgeDensity < BLANK_EDGE_DENSITY) {
    throw new AppError('IMAGE_BLANK', 'no ink found: the image is blank');
  }
}

/** Step 6: the job payload the workers read (see `parseJobData` in @mserve/contracts). */
export function buildPayload(
  pre: Preprocessed,
  params: RequestParams,
  requestId: string,
  submittedAt = Date.now(),
  deadline?: number,
): InferenceJobData {
  // The request's trace context (its server span), for the worker's spans to join; nothing while tracing is off.
  const trace = injectContext();
  return {
    v: 1,
    requestId,
    submittedAt,
    input: encodeTensor(pre.tensor, pre.shape),
    facts: pre.facts,
    params: { samples: params.samples, alpha: params.alpha },
    ...(params.webhook ? { webhook: params.webhook } : {}),
    ...(deadline !== undefined ? { deadlineAt: deadline } : {}),
    ...(params.priority && params.priority !== 'normal' ? { priority: params.priority } : {}),
    ...(trace ? { trace } : {}),
  };
}

/** What steps 1 to 6 need. */
export interface PrepareDeps {
  jobs: Pick<JobRepository, 'waitingCount'>;
  preprocess: Preprocessor;
  checkWebhookUrl: WebhookUrlGuard;
  metrics: Pick<PipelineMetrics, 'preprocessed'>;
  defaults: InferenceParams;
  maxQueueDepth: number;
  /** Longest a job may wait for a worker (0: no ceiling). */
  maxQueueTimeS?: number;
  /** When set, a lightly loaded queue is checked during the preprocessing (see {@link QueueGauge}). */
  gauge?: QueueGauge;
}

/** Steps 1 to 6: a submission to the payload of its job, or the 4xx/5xx AppError that refuses it. */
export async function prepareJob(deps: PrepareDeps, sub: Submission, requestId: string): Promise<InferenceJobData> {
  // Step 1 is parseParams (params.ts): 400 VALIDATION_FAILED listing every bad field.
  const params = parseParams(sub.fields, deps.defaults);
  await checkWebhook(params, deps.checkWebhookUrl);
  const overlap = deps.gauge?.farBelow(deps.maxQueueDepth) === true;
  const checked = checkBackpressure(deps.jobs, deps.maxQueueDepth, deps.gauge);
  // Observed at once: a preprocessing error must not leave a refusal unhandled; it is awaited below all the same.
  if (overlap) checked.catch(() => undefined);
  else await checked;
  const pre = sub.prepared ?? (await preprocessImage(deps.preprocess, sub.image, deps.metrics));
  if (overlap) await checked;
  checkInk(pre);
  const submittedAt = Date.now();
  const asked = { cancelAfterMs: sub.cancelAfterMs, deadlineAt: params.deadlineAt };
  return buildPayload(pre, params, requestId, submittedAt, deadlineAt(submittedAt, asked, deps.maxQueueTimeS ?? 0));
}

/** Step 7, asynchronous submissions: a job of its own under a fresh id. */
export async function enqueueJob(
  jobs: Pick<JobRepository, 'enqueue'>,
  data: InferenceJobData,
  newId: () => string = randomUUID,
): Promise<Enqueued> {
  const id = newId();
  await inSpan('enqueue', { kind: SpanKind.PRODUCER, attributes: { 'mserve.job_id': id } }, () =>
    jobs.enqueue(id, data),
  );
  return { id };
}

/**
 * Step 7, synchronous predictions: grouped with concurrent ones into a batch job, except when it carries a webhook
 * (deliveries are per job). Either way the wait is registered before the job exists, so no end can slip past it.
 */
export async function enqueuePrediction(
  deps: {
    jobs: Pick<JobRepository, 'enqueue'>;
    waiters: JobWaiters;
    batcher: Pick<PredictionBatcher, 'submit'>;
    timeoutMs: number;
  },
  data: InferenceJobData,
  newId: () => string = randomUUID,
): Promise<Enqueued & { wait: Wait }> {
  if (!data.webhook) return deps.batcher.submit(data);
  return enqueueOwnPrediction(deps, data, newId());
}

/** Step 7 for a prediction that is a job of its own under `id`: the wait is registered before the job exists. */
export async function enqueueOwnPrediction(
  deps: { jobs: Pick<JobRepository, 'enqueue'>; waiters: JobWaiters; timeoutMs: number },
  data: InferenceJobData,
  id: string,
): Promise<Enqueued & { wait: Wait }> {
  const wait = deps.waiters.wait(id, deps.timeoutMs);
  try {
    await inSpan('enqueue', { kind: SpanKind.PRODUCER, attributes: { 'mserve.job_id': id } }, () =>
      deps.jobs.enqueue(id, data),
    );
  } catch (e) {
    wait.cancel();
    throw e;
  }
  return { id, wait };
}

/** Counts a submission refused for lack of room or of Redis (the failures operators alert on). */
export function countEnqueueFailure(e: unknown, metrics: Pick<PipelineMetrics, 'enqueueFailed'>): void {
  const code = e instanceof AppError ? e.code : 'INTERNAL';
  if (code === 'QUEUE_FULL' || code === 'REDIS_UNAVAILABLE') metrics.enqueueFailed(code);
}
