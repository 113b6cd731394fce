/**
 * The jobs service: what `POST /v1/jobs`, `POST /v1/predict` and `GET /v1/jobs/:id` do, composed from the pipeline
 * steps (`submit.ts`) and the waits (`waits.ts`) over the ports. The HTTP handlers only translate in and out.
 */
import type { InferenceJobData } from '@mserve/contracts';
import type { GatewayConfig } from '../config';
import { GroupCommit } from './group-commit';
import type { JobSnapshot } from './job-snapshot';
import { PredictionBatcher } from './predict-batcher';
import type {
  JobRepository,
  JobWaiters,
  PipelineMetrics,
  Preprocessor,
  WebhookStateReader,
  WebhookUrlGuard,
} from './ports';
import { countEnqueueFailure, enqueueJob, enqueuePrediction, prepareJob, type Submission } from './submit';
import { awaitPrediction, isFinished, readJob, waitForEnd } from './waits';

/** The settings the service reads. */
export type JobsServiceConfig = Pick<
  GatewayConfig,
  'MC_SAMPLES_DEFAULT' | 'ALPHA_DEFAULT' | 'MAX_QUEUE_DEPTH' | 'SYNC_TIMEOUT_MS' | 'PREDICT_BATCH_MAX'
>;

/** The ports the service runs over. */
export interface JobsServiceDeps {
  config: JobsServiceConfig;
  jobs: JobRepository;
  waiters: JobWaiters;
  preprocess: Preprocessor;
  checkWebhookUrl: WebhookUrlGuard;
  webhookState: WebhookStateReader;
  metrics: PipelineMetrics;
}

/** A job as `GET /v1/jobs/:id` shows it. */
export interface JobView {
  snap: JobSnapshot;
  /** The delivery state of the job's webhook; null without one, or when it cannot be read. */
  webhook: Record<string, unknown> | null;
}

/** What the job routes do. */
export interface JobsService {
  /** Validates, preprocesses and enqueues an asynchronous job; resolves with its id once it is in the queue. */
  submitJob(sub: Submission, requestId: string): Promise<{ id: string }>;
  /**
   * Runs a synchronous prediction: resolves with its snapshot once it ended, or with its latest state when
   * `SYNC_TIMEOUT_MS` passed or `signal` aborted first (then it is neither completed nor failed).
   */
  predict(sub: Submission, requestId: string, signal?: AbortSignal): Promise<JobSnapshot>;
  /** Reads a job, long-polling up to `waitMs` for its end (0: answer at once); 404 NOT_FOUND when unknown. */
  getJob(id: string, waitMs: number, signal?: AbortSignal): Promise<JobView>;
}

/** Builds the jobs service; the prediction batcher it holds lives as long as the service. */
export function createJobsService(deps: JobsServiceDeps): JobsService {
  const { config, jobs, waiters, metrics } = deps;
  const batcher = new PredictionBatcher({
    maxItems: config.PREDICT_BATCH_MAX,
    maxInFlight: 4,
    register: (batchId) => waiters.wait(batchId, config.SYNC_TIMEOUT_MS),
    enqueue: (batchId, items) => jobs.enqueueBatch(batchId, items),
    onBatch: (n) => metrics.batched(n),
  });
  // Jobs of their own (async submissions, predictions with a webhook) are grouped the same way, into one addBulk.
  const jobAdds = new GroupCommit<{ id: string; data: InferenceJobData }, void>({
    maxItems: config.PREDICT_BATCH_MAX,
    maxInFlight: 4,
    commit: async (group) => {
      await jobs.enqueueMany(group);
      return group.map(() => undefined);
    },
  });
  const grouped = { enqueue: (id: string, data: InferenceJobData) => jobAdds.submit({ id, data }) };
  const prepare = {
    jobs,
    preprocess: deps.preprocess,
    checkWebhookUrl: deps.checkWebhookUrl,
    metrics,
    defaults: { samples: config.MC_SAMPLES_DEFAULT, alpha: config.ALPHA_DEFAULT },
    maxQueueDepth: config.MAX_QUEUE_DEPTH,
  };

  /** Steps 1 to 7 with the failure count; only what an answer needs leaves, not the payload with its tensor. */
  async function submit<T>(sub: Submission, requestId: string, enqueue: (data: InferenceJobData) => Promise<T>) {
    try {
      const data = await prepareJob(prepare, sub, requestId);
      const enqueued = await enqueue(data);
      metrics.submitted();
      return { enqueued, known: { requestId: data.requestId, submittedAt: data.submittedAt } };
    } catch (e) {
      countEnqueueFailure(e, metrics);
      throw e;
    }
  }

  return {
    async submitJob(sub, requestId) {
      const { enqueued } = await submit(sub, requestId, (data) => enqueueJob(grouped, data));
      return { id: enqueued.id };
    },

    async predict(sub, requestId, signal) {
      const { enqueued, known } = await submit(sub, requestId, (data) =>
        enqueuePrediction({ jobs: grouped, waiters, batcher, timeoutMs: config.SYNC_TIMEOUT_MS }, data),
      );
      return awaitPrediction(jobs, enqueued, known, signal);
    },

    async getJob(id, waitMs, signal) {
      let snap = await readJob(jobs, id);
      if (!isFinished(snap) && waitMs > 0) snap = await waitForEnd(jobs, waiters, id, waitMs, signal);
      const webhook = snap.data.webhook ? await deps.webhookState(id).catch(() => null) : null;
      return { snap, webhook };
    },
  };
}
