/**
 * The jobs service: what `POST /v1/jobs`, `POST /v1/predict` and `GET /v1/jobs/:id` do, composed from the pipeline
 * steps (`submit.ts`) and the waits (`waits.ts`) over the ports. The HTTP handlers only translate in and out.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@mserve/common';
import { parseBatchItemId, type InferenceJobData } from '@mserve/contracts';
import type { GatewayConfig } from '../config';
import { enqueueAll, prepareAll, readBatchJobs, toBatchWebhook, type BatchStore } from './bulk';
import { GroupCommit } from './group-commit';
import { fingerprint, once, type IdempotencyKey, type IdempotencyStore } from './idempotency';
import type { JobSnapshot } from './job-snapshot';
import { PredictionBatcher } from './predict-batcher';
import type {
  JobControl,
  JobRepository,
  JobWaiters,
  PipelineMetrics,
  Preprocessor,
  TenantAdmission,
  Wait,
  WebhookStateReader,
  WebhookUrlGuard,
} from './ports';
import {
  countEnqueueFailure,
  enqueueJob,
  enqueueOwnPrediction,
  enqueuePrediction,
  QueueGauge,
  prepareJob,
  type Submission,
} from './submit';
import { awaitPrediction, isFinished, readJob, waitForEnd } from './waits';

/** The settings the service reads. */
export type JobsServiceConfig = Pick<
  GatewayConfig,
  'MC_SAMPLES_DEFAULT' | 'ALPHA_DEFAULT' | 'MAX_QUEUE_DEPTH' | 'SYNC_TIMEOUT_MS' | 'PREDICT_BATCH_MAX'
> &
  Partial<Pick<GatewayConfig, 'MAX_QUEUE_TIME_S'>>;

/** The ports the service runs over. */
export interface JobsServiceDeps {
  config: JobsServiceConfig;
  jobs: JobRepository;
  waiters: JobWaiters;
  preprocess: Preprocessor;
  checkWebhookUrl: WebhookUrlGuard;
  webhookState: WebhookStateReader;
  metrics: PipelineMetrics;
  /** Where Idempotency-Keys are kept and for how long; without it a key is refused as unsupported. */
  idempotency?: { store: IdempotencyStore; ttlS: number };
  /** Cancel and expiry; without it a cancel is refused. */
  control?: JobControl;
  /** Where bulk submissions keep their list of jobs, and for how long; without it bulk is refused. */
  batches?: { store: BatchStore; ttlS: number };
  /** Per-tenant quota and fair-share rank of jobs of their own; without it tenants are not counted. */
  admission?: TenantAdmission;
}

/** What a cancel did: whether the job ends canceled, why, and the job as it stands. */
export interface CancelResult {
  canceled: boolean;
  message: string;
  snap: JobSnapshot;
}

/**
 * How long a cancel of a running job waits to tell how the job ended: a job already running has its batch in
 * flight, which takes well under this; if not, the answer says it is still running.
 */
export const CANCEL_WAIT_MS = 5000;

/** Per-request options of a submission. */
export interface SubmitOptions {
  /** The request's Idempotency-Key, scoped to its caller. */
  idempotencyKey?: IdempotencyKey;
  /** How long a prediction waits for its result (`Prefer: wait`); SYNC_TIMEOUT_MS when absent. */
  waitMs?: number;
  /** The caller's tenant (absent while auth is off): stamped on the job, counted against its quota. */
  tenant?: string;
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
  submitJob(sub: Submission, requestId: string, opts?: SubmitOptions): Promise<{ id: string; replayed?: boolean }>;
  /**
   * Runs a synchronous prediction: resolves with its snapshot once it ended, or with its latest state when
   * `SYNC_TIMEOUT_MS` passed or `signal` aborted first (then it is neither completed nor failed). With an
   * Idempotency-Key the prediction is a job of its own (not grouped), so a retry can find it and wait for it again.
   */
  predict(sub: Submission, requestId: string, signal?: AbortSignal, opts?: SubmitOptions): Promise<JobSnapshot>;
  /**
   * Reads a job, long-polling up to `waitMs` for its end (0: answer at once); 404 NOT_FOUND when unknown or, with
   * `tenant`, another tenant's.
   */
  getJob(id: string, waitMs: number, signal?: AbortSignal, tenant?: string): Promise<JobView>;
  /**
   * Cancels a job, idempotently: a queued one ends canceled and never runs; a running one is stopped if its worker
   * has not started its inference yet, else it completes (the answer says which). 409 JOB_FINISHED when it had
   * already ended otherwise, 409 CANCEL_UNSUPPORTED for a prediction grouped into a batch job.
   */
  cancelJob(id: string, signal?: AbortSignal, tenant?: string): Promise<CancelResult>;
  /**
   * Enqueues one job per image of a bulk submission (all or none) and a batch naming them. With an Idempotency-Key
   * a retry of the same submission gets the batch the first one made (`replayed`) and enqueues nothing.
   */
  submitBatch(
    sub: Submission,
    requestId: string,
    opts?: SubmitOptions,
  ): Promise<{ id: string; jobIds: string[]; replayed?: boolean }>;
  /** The jobs of a batch, long-polling up to `waitMs` until every one ended; 404 NOT_FOUND when unknown. */
  getBatch(id: string, waitMs: number, signal?: AbortSignal, tenant?: string): Promise<JobSnapshot[]>;
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
  const jobAdds = new GroupCommit<{ id: string; data: InferenceJobData; rank?: number }, void>({
    maxItems: config.PREDICT_BATCH_MAX,
    maxInFlight: 4,
    commit: async (group) => {
      await jobs.enqueueMany(group);
      return group.map(() => undefined);
    },
  });
  const grouped = {
    enqueue: (id: string, data: InferenceJobData, rank?: number) =>
      jobAdds.submit({ id, data, ...(rank !== undefined ? { rank } : {}) }),
  };

  /** Enqueues job `id`, counted against its tenant first (quota, fair-share rank) and uncounted if that fails. */
  async function admitted(tenant: string | undefined, id: string, enqueue: (rank?: number) => Promise<void>) {
    const admission = deps.admission;
    if (tenant === undefined || !admission) return enqueue();
    const rank = await admission.admitTenantJob(tenant, id);
    try {
      await enqueue(rank);
    } catch (e) {
      await admission.releaseTenantJob(tenant, id).catch(() => undefined);
      throw e;
    }
  }

  /** Jobs of their own of `tenant`'s: admitted, then grouped into one addBulk with concurrent ones. */
  const ownJobs = (tenant: string | undefined) => ({
    enqueue: (id: string, data: InferenceJobData) => admitted(tenant, id, (rank) => grouped.enqueue(id, data, rank)),
  });

  /** Uncounts a job the gateway itself ended (it never reaches a worker, which uncounts the others). */
  const released = (snap: JobSnapshot) =>
    snap.data.tenant && deps.admission
      ? deps.admission.releaseTenantJob(snap.data.tenant, snap.id).catch(() => undefined)
      : undefined;
  const prepare = {
    jobs,
    preprocess: deps.preprocess,
    checkWebhookUrl: deps.checkWebhookUrl,
    metrics,
    defaults: { samples: config.MC_SAMPLES_DEFAULT, alpha: config.ALPHA_DEFAULT },
    maxQueueDepth: config.MAX_QUEUE_DEPTH,
    maxQueueTimeS: config.MAX_QUEUE_TIME_S ?? 0,
    gauge: new QueueGauge(),
  };

  /** Steps 1 to 7 with the failure count; only what an answer needs leaves, not the payload with its tensor. */
  async function submit<T>(
    sub: Submission,
    requestId: string,
    tenant: string | undefined,
    enqueue: (data: InferenceJobData) => Promise<T>,
  ) {
    try {
      const prepared = await prepareJob(prepare, sub, requestId);
      const data = tenant === undefined ? prepared : { ...prepared, tenant };
      const enqueued = await enqueue(data);
      metrics.submitted();
      // The input stays referenced until the answer is rendered: include=input shows it without reading the job back.
      return { enqueued, known: { requestId: data.requestId, submittedAt: data.submittedAt, input: data.input } };
    } catch (e) {
      countEnqueueFailure(e, metrics);
      throw e;
    }
  }

  /** The idempotency store, or the 400 of a key sent to a service built without one. */
  function keyStore(): { store: IdempotencyStore; ttlS: number } {
    if (!deps.idempotency) throw new AppError('VALIDATION_FAILED', 'Idempotency-Key is not supported here');
    return deps.idempotency;
  }

  /**
   * A queued job past its deadline is ended `expired` when it is read, so it shows as such even while no worker
   * runs (a worker taking it would end it the same way).
   */
  async function expireIfLate(snap: JobSnapshot): Promise<JobSnapshot> {
    const { deadlineAt } = snap.data;
    if (snap.status !== 'queued' || deadlineAt === undefined || Date.now() <= deadlineAt) return snap;
    if (!deps.control || parseBatchItemId(snap.id)) return snap;
    const at = new Date(deadlineAt).toISOString();
    const found = await deps.control.stop(snap.id, 'EXPIRED', `not started before its deadline ${at}; not run`);
    const after = await readJob(jobs, snap.id);
    if (found === 'stopped') {
      await released(snap);
      const payload = { id: snap.id, status: 'expired', error: after.error };
      await deps.control.notify(snap.id, 'expired', after.data, payload).catch(() => undefined);
    }
    return after;
  }

  async function cancelJob(id: string, signal?: AbortSignal, tenant?: string): Promise<CancelResult> {
    const snap = await expireIfLate(await readJob(jobs, id, tenant));
    if (parseBatchItemId(id)) {
      throw new AppError(
        'CANCEL_UNSUPPORTED',
        `job ${id} is a synchronous prediction grouped with others into one batch job and cannot be canceled alone; ` +
          'a prediction sent with an Idempotency-Key or a webhook is a job of its own and can be',
      );
    }
    if (snap.status === 'canceled') return { canceled: true, message: 'the job was already canceled', snap };
    if (isFinished(snap)) {
      throw new AppError('JOB_FINISHED', `job ${id} already ended ${snap.status}; there is nothing to cancel`, {
        jobId: id,
        status: snap.status,
      });
    }
    if (!deps.control) throw new AppError('CANCEL_UNSUPPORTED', 'this gateway cannot cancel jobs');
    const control = deps.control;
    const found = await control.stop(id, 'CANCELED', 'canceled by request before it ran');
    if (found === 'missing') return cancelJob(id, signal, tenant);
    if (found === 'stopped') {
      await released(snap);
      const after = await readJob(jobs, id);
      const payload = { id, status: 'canceled', error: after.error };
      // The job never reached a worker, so the gateway queues its webhook; a lost delivery must not fail the cancel.
      await control.notify(id, 'canceled', after.data, payload).catch(() => undefined);
      return { canceled: true, message: 'the job was still queued: it will never run', snap: after };
    }
    const after = isFinished(snap) ? snap : await waitForEnd(jobs, waiters, id, CANCEL_WAIT_MS, signal);
    if (after.status === 'canceled') {
      return { canceled: true, message: 'the job was stopped by its worker before its inference ran', snap: after };
    }
    if (isFinished(after)) {
      return {
        canceled: false,
        message: `the job was already running and ended ${after.status}: its answer was on its way`,
        snap: after,
      };
    }
    return {
      canceled: false,
      message:
        'the job is running; its worker stops it only if its inference has not started, so it will likely complete',
      snap: after,
    };
  }

  /** Admits every job of a bulk submission, all or none (the ones admitted are uncounted when one is refused). */
  function admitAll(tenant: string | undefined) {
    const admission = deps.admission;
    if (tenant === undefined || !admission) return undefined;
    return async (ids: string[]) => {
      const ranks: number[] = [];
      const undo = async () => {
        await Promise.all(
          ids.slice(0, ranks.length).map((id) => admission.releaseTenantJob(tenant, id).catch(() => undefined)),
        );
      };
      try {
        for (const id of ids) ranks.push(await admission.admitTenantJob(tenant, id));
      } catch (e) {
        await undo();
        throw e;
      }
      return { ranks, undo };
    };
  }

  function batchStore(): { store: BatchStore; ttlS: number } {
    if (!deps.batches) throw new AppError('VALIDATION_FAILED', 'bulk submission is not supported here');
    return deps.batches;
  }

  return {
    cancelJob,

    async submitBatch(sub, requestId, opts) {
      const { store, ttlS } = batchStore();
      const tenant = opts?.tenant;
      const create = async (id: string = randomUUID()) => {
        try {
          const own = await prepareAll(sub, (one) => prepareJob(prepare, one, requestId));
          const prepared = tenant === undefined ? own : own.map((p) => ({ ...p, tenant }));
          // parseParams (in prepareJob) refused any other value, and a batch scope without a webhook.
          const { payloads, webhook } =
            sub.fields['webhook_scope'] === 'batch' ? toBatchWebhook(prepared, id) : { payloads: prepared };
          const out = await enqueueAll(jobs, store, ttlS, payloads, id, webhook, admitAll(tenant));
          for (let i = 0; i < out.jobIds.length; i++) metrics.submitted();
          return out;
        } catch (e) {
          countEnqueueFailure(e, metrics);
          throw e;
        }
      };
      const key = opts?.idempotencyKey;
      if (!key) return create();
      const keys = keyStore();
      let made: { id: string; jobIds: string[] } | undefined;
      const { id, replayed } = await once(
        keys.store,
        key,
        fingerprint('bulk', sub),
        keys.ttlS,
        randomUUID(),
        async (id) => {
          made = await create(id);
        },
      );
      if (made) return made;
      // The batch outlives its key by default (RESULT_TTL_S against IDEMPOTENCY_TTL_S); if not, the replay says so.
      const jobIds = await store.readBatch(id);
      if (!jobIds) throw new AppError('NOT_FOUND', `the batch ${id} this Idempotency-Key made has been removed`);
      return { id, jobIds, replayed };
    },

    async getBatch(id, waitMs, signal, tenant) {
      return readBatchJobs({ jobs, waiters, batches: batchStore().store }, id, waitMs, signal, tenant);
    },

    async submitJob(sub, requestId, opts) {
      const key = opts?.idempotencyKey;
      const tenant = opts?.tenant;
      if (key) {
        const { store, ttlS } = keyStore();
        return once(store, key, fingerprint('jobs', sub), ttlS, randomUUID(), async (id) => {
          await submit(sub, requestId, tenant, (data) => ownJobs(tenant).enqueue(id, data));
        });
      }
      const { enqueued } = await submit(sub, requestId, tenant, (data) => enqueueJob(ownJobs(tenant), data));
      return { id: enqueued.id };
    },

    async predict(sub, requestId, signal, opts) {
      const key = opts?.idempotencyKey;
      const timeoutMs = opts?.waitMs ?? config.SYNC_TIMEOUT_MS;
      const tenant = opts?.tenant;
      const own = { jobs: ownJobs(tenant), waiters, timeoutMs };
      if (key) {
        const { store, ttlS } = keyStore();
        let fresh: { wait: Wait; known: JobSnapshot['data'] } | undefined;
        const { id, replayed } = await once(store, key, fingerprint('predict', sub), ttlS, randomUUID(), async (id) => {
          const { enqueued, known } = await submit(sub, requestId, tenant, (data) =>
            enqueueOwnPrediction(own, data, id),
          );
          fresh = { wait: enqueued.wait, known };
        });
        // A replay waits for the job the first request made, as long as a first request would have.
        if (replayed || !fresh) return waitForEnd(jobs, waiters, id, timeoutMs, signal);
        return awaitPrediction(jobs, { id, wait: fresh.wait }, fresh.known, signal);
      }
      // A wait of the caller's own (Prefer: wait) is a job of its own: a batch job's wait lasts SYNC_TIMEOUT_MS.
      const { enqueued, known } = await submit(sub, requestId, tenant, (data) =>
        opts?.waitMs !== undefined
          ? enqueueOwnPrediction(own, data, randomUUID())
          : enqueuePrediction({ ...own, batcher }, data),
      );
      return awaitPrediction(jobs, enqueued, known, signal);
    },

    async getJob(id, waitMs, signal, tenant) {
      let snap = await expireIfLate(await readJob(jobs, id, tenant));
      if (!isFinished(snap) && waitMs > 0) snap = await waitForEnd(jobs, waiters, id, waitMs, signal);
      const webhook = snap.data.webhook ? await deps.webhookState(id).catch(() => null) : null;
      return { snap, webhook };
    },
  };
}
