import { AppError, toAppError, type Logger } from '@mserve/common';
import {
  INFERENCE_BATCH_JOB_NAME,
  batchItemId,
  encodeFailure,
  parseBatchItemId,
  parseBatchData,
  parseJobData,
  type BatchItemOutcome,
  type BatchJobResult,
  type InferenceJobData,
  type InferenceResult,
} from '@mserve/contracts';
import type { Observation } from '@mserve/drift';
import { SpanKind, context, extractContext, inSpan, recordSpan } from '@mserve/tracing';
import { UnrecoverableError, type Job } from 'bullmq';
import type { MicroBatcher } from './batcher';
import type { InferenceEngine, InferenceItem, Prediction } from './inference';
import type { WorkerMetrics } from './metrics';
import { wantsWebhook, type WebhookNotifier } from './webhook';

/** What the job processor needs. */
export interface ProcessorDeps {
  engine: Pick<InferenceEngine, 'card'>;
  batcher: MicroBatcher<InferenceItem, Prediction>;
  logger: Logger;
  metrics: WorkerMetrics;
  notify: WebhookNotifier;
  /** Records each completed prediction for the drift monitor (see `@mserve/drift`); absent in unit tests. */
  drift?: { observe(o: Observation): void };
  /** Whether a cancel was requested for job `jobId` of the main queue (a flag the gateway sets on the job). */
  cancelRequested?: (jobId: string) => Promise<boolean>;
}

/** Values per item of a model input shape, whether or not it lists a (variable, non-positive) batch dimension. */
export function itemSize(inputShape: readonly number[]): number {
  return inputShape.filter((d) => d > 0).reduce((a, b) => a * b, 1);
}

/** Runs one inference payload; throws an AppError for a bad payload or a failed pass. */
type ItemRunner = (jobId: string, raw: unknown) => Promise<InferenceResult>;

/**
 * The BullMQ processor: validates the payload, hands the job to the micro-batcher, and completes it with its own
 * result. Failures are `UnrecoverableError`s whose message carries the error code (`CODE: message`): a bad
 * payload will not get better on retry, and the gateway shows the client the code the worker meant. A batch job
 * (several synchronous predictions grouped by the gateway) completes with one outcome per item, so a bad item fails
 * alone; its items join the same micro-batcher as everything else.
 */
export function createProcessor(deps: ProcessorDeps): (job: Job) => Promise<InferenceResult | BatchJobResult> {
  const runItem = createItemRunner(deps);
  return async (job: Job) => {
    if (job.name === INFERENCE_BATCH_JOB_NAME) return runBatch(job, runItem, deps.logger);
    try {
      return await runItem(String(job.id), job.data);
    } catch (e) {
      const err = toAppError(e);
      throw new UnrecoverableError(encodeFailure(err.code, err.message));
    }
  };
}

async function runBatch(job: Job, runItem: ItemRunner, logger: Logger): Promise<BatchJobResult> {
  const batchId = String(job.id);
  let items: unknown[];
  try {
    items = parseBatchData(job.data).items;
  } catch (e) {
    const err = toAppError(e);
    logger.warn({ jobId: batchId, code: err.code }, 'batch job failed');
    throw new UnrecoverableError(encodeFailure(err.code, err.message));
  }
  const outcomes = await Promise.all(
    items.map(async (raw, i): Promise<BatchItemOutcome> => {
      const id = batchItemId(batchId, i);
      try {
        return await runItem(id, raw);
      } catch (e) {
        const { code, message } = toAppError(e);
        return { id, status: 'failed', error: { code, message } };
      }
    }),
  );
  return { v: 1, items: outcomes };
}

function createItemRunner(deps: ProcessorDeps): ItemRunner {
  const { engine, batcher, logger, metrics, notify } = deps;
  const { name, digest, version } = engine.card;
  const model = { name, digest, ...(version !== undefined ? { version } : {}) };

  return async (jobId, rawData) => {
    const raw = rawData as Partial<InferenceJobData>;
    // A job span under the request's span (W3C context carried in the job data); no-op while tracing is off.
    const parent = extractContext(raw?.trace);
    return inSpan('inference job', { kind: SpanKind.CONSUMER, parent, attributes: { 'mserve.job_id': jobId } }, () =>
      run(jobId, rawData, raw, parent),
    );
  };

  async function run(
    jobId: string,
    rawData: unknown,
    raw: Partial<InferenceJobData>,
    parent: ReturnType<typeof extractContext>,
  ): Promise<InferenceResult> {
    const log = logger.child({ jobId, requestId: raw?.requestId });
    try {
      const data = parseJobData(rawData);
      if (data.tensor.length !== itemSize(engine.card.inputShape)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `input shape [${data.shape.join(',')}] does not fit model input [${engine.card.inputShape.join(',')}]`,
        );
      }
      await checkNotStopped(jobId, data, deps.cancelRequested);
      const { value, batch } = await batcher.submit({
        jobId,
        input: data.tensor,
        shape: data.shape,
        facts: data.facts,
        params: data.params,
        ...(data.priority ? { priority: data.priority } : {}),
      });
      const now = Date.now();
      const queuedMs = Math.max(0, batch.startedAt - data.submittedAt);
      // The queue wait (accepted by the gateway until its batch started) and the batch pass as spans of their own.
      recordSpan('queue wait', parent, data.submittedAt, batch.startedAt, { 'mserve.job_id': jobId });
      recordSpan('batch inference', context.active(), batch.startedAt, batch.startedAt + batch.runMs, {
        'mserve.batch_size': batch.size,
      });
      const result: InferenceResult = {
        id: jobId,
        status: 'completed',
        model,
        result: value,
        timings: {
          queuedMs,
          inferenceMs: batch.runMs,
          totalMs: Math.max(0, now - data.submittedAt),
          batchSize: batch.size,
        },
        requestId: data.requestId,
      };
      metrics.queuedSeconds.observe(queuedMs / 1000);
      deps.drift?.observe({
        prediction: value.prediction,
        reliability: value.uncertainty.reliability,
        oodFlag: value.uncertainty.outOfDistribution.flag,
        facts: data.facts,
      });
      if (wantsWebhook(data, 'completed')) await notify({ jobId, event: 'completed', data, payload: result });
      metrics.jobs.inc({ status: 'completed' });
      log.info(
        { prediction: value.prediction, batchSize: batch.size, totalMs: result.timings.totalMs },
        'job completed',
      );
      return result;
    } catch (e) {
      const err = toAppError(e);
      metrics.jobs.inc({ status: 'failed' });
      log.warn({ code: err.code, err: err.cause ?? err }, 'job failed');
      const event = err.code === 'CANCELED' ? 'canceled' : err.code === 'EXPIRED' ? 'expired' : 'failed';
      if (raw && typeof raw === 'object' && wantsWebhook(raw, event)) {
        const payload = { id: jobId, status: event, error: { code: err.code, message: err.message } };
        await notify({
          jobId,
          event,
          data: {
            requestId: raw.requestId ?? '',
            webhook: raw.webhook,
            ...(typeof raw.batch === 'string' ? { batch: raw.batch } : {}),
            ...(typeof raw.tenant === 'string' ? { tenant: raw.tenant } : {}),
          },
          payload,
        });
      }
      throw err;
    }
  }
}

/**
 * The last moment a job can be stopped without running it: after the worker took it, before it joins a batch.
 * A job past its deadline (not started in time) ends EXPIRED, a job the gateway flagged for cancel ends CANCELED;
 * neither runs. Grouped predictions have no flag of their own and are never canceled.
 */
async function checkNotStopped(
  jobId: string,
  data: Pick<InferenceJobData, 'deadlineAt'>,
  cancelRequested: ((jobId: string) => Promise<boolean>) | undefined,
): Promise<void> {
  if (data.deadlineAt !== undefined && Date.now() > data.deadlineAt) {
    throw new AppError(
      'EXPIRED',
      `not started before its deadline ${new Date(data.deadlineAt).toISOString()}; not run`,
    );
  }
  if (cancelRequested && !parseBatchItemId(jobId) && (await cancelRequested(jobId))) {
    throw new AppError('CANCELED', 'canceled by request before its inference started; not run');
  }
}
