import { randomUUID } from 'node:crypto';
import { AppError, statusForCode } from '@mserve/common';
import { encodeTensor, parseBatchItemId, type InferenceJobData } from '@mserve/contracts';
import { Router, type Request, type Response } from 'express';
import type { GatewayDeps } from '../deps';
import { parseParams } from '../params';
import { PredictionBatcher } from '../predict-batcher';
import { finishedSnapshot, type FinishedJob, type JobSnapshot } from '../store';
import { createSubmissionReader } from '../upload';
import { jobLinks, renderJob } from '../views';
import type { Wait } from '../waiters';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a submission went: its id, its item index in a batch job, and for predictions the registered wait. */
interface Enqueued {
  id: string;
  index?: number;
  wait?: Wait;
}

/** `POST /v1/jobs`, `GET /v1/jobs/:id` (with `?wait=` long-poll) and `POST /v1/predict`. */
export function jobsRouter(deps: GatewayDeps): Router {
  const { config, store, waiters, metrics } = deps;
  const readSubmission = createSubmissionReader(config.MAX_UPLOAD_BYTES);
  const router = Router();

  const batcher = new PredictionBatcher({
    maxItems: config.PREDICT_BATCH_MAX,
    maxInFlight: 4,
    register: (batchId) => waiters.wait(batchId, config.SYNC_TIMEOUT_MS),
    enqueue: (batchId, items) => store.enqueueBatch(batchId, items),
    onBatch: (n) => metrics.predictBatchSize.observe(n),
  });

  /** Validates, checks backpressure, preprocesses, and hands the payload to `enqueue`. */
  async function submit(
    req: Request,
    res: Response,
    enqueue: (data: InferenceJobData) => Promise<Enqueued>,
  ): Promise<Enqueued & { data: InferenceJobData }> {
    try {
      const sub = await readSubmission(req, res);
      const params = parseParams(sub.fields, { samples: config.MC_SAMPLES_DEFAULT, alpha: config.ALPHA_DEFAULT });
      if (params.webhook) await deps.checkWebhookUrl(params.webhook.url);
      // Refuse before the CPU work of decoding: under overload the cheapest answer is the best one.
      const waiting = await store.waitingCount();
      if (waiting >= config.MAX_QUEUE_DEPTH) {
        throw new AppError('QUEUE_FULL', `the queue holds ${waiting} waiting jobs (limit ${config.MAX_QUEUE_DEPTH})`);
      }
      const pre = await deps.preprocess(sub.image);
      metrics.preprocessSeconds.observe(pre.ms / 1000);
      const data: InferenceJobData = {
        v: 1,
        requestId: String(req.id),
        submittedAt: Date.now(),
        input: encodeTensor(pre.tensor, pre.shape),
        facts: pre.facts,
        params: { samples: params.samples, alpha: params.alpha },
        ...(params.webhook ? { webhook: params.webhook } : {}),
      };
      const enqueued = await enqueue(data);
      metrics.submitted.inc();
      return { ...enqueued, data };
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'INTERNAL';
      if (code === 'QUEUE_FULL' || code === 'REDIS_UNAVAILABLE') metrics.enqueueFailures.inc({ code });
      throw e;
    }
  }

  /** A job of its own, for async submissions. */
  async function enqueueJob(data: InferenceJobData): Promise<Enqueued> {
    const id = randomUUID();
    await store.enqueue(id, data);
    return { id };
  }

  /**
   * A synchronous prediction: grouped with concurrent ones into a batch job, except when it carries a webhook
   * (deliveries are per job). Either way the wait is registered before the job exists.
   */
  async function enqueuePrediction(data: InferenceJobData): Promise<Enqueued> {
    if (!data.webhook) return batcher.submit(data);
    const id = randomUUID();
    const wait = waiters.wait(id, config.SYNC_TIMEOUT_MS);
    try {
      await store.enqueue(id, data);
    } catch (e) {
      wait.cancel();
      throw e;
    }
    return { id, wait };
  }

  async function readJob(id: string): Promise<JobSnapshot> {
    const snap = UUID_RE.test(id) ? await store.get(id) : null;
    if (!snap) throw new AppError('NOT_FOUND', `no job ${id} (unknown, or removed after the retention period)`);
    return snap;
  }

  const finished = (s: JobSnapshot) => s.status === 'completed' || s.status === 'failed';

  /** Cancels the wait when the client goes away; returns the clean-up, which also ends the wait. */
  function cancelOnClose(res: Response, wait: Wait): () => void {
    const onClose = () => wait.cancel();
    // The response's close (not the request's, which fires once the body is read) means the client went away.
    res.once('close', onClose);
    return () => {
      wait.cancel();
      res.off('close', onClose);
    };
  }

  /** Waits until the job ends or `ms` pass, robust to missed events; returns the latest snapshot. */
  async function waitForEnd(id: string, ms: number, res: Response): Promise<JobSnapshot> {
    // A grouped prediction ends when its batch job does.
    const wait = waiters.wait(parseBatchItemId(id)?.batchId ?? id, ms);
    const cancel = cancelOnClose(res, wait);
    try {
      // The event may have fired before the waiter existed: read the state once more now that it does.
      const snap = await readJob(id);
      if (finished(snap)) return snap;
      await wait.done;
      return await readJob(id);
    } finally {
      cancel();
    }
  }

  /**
   * The synchronous wait of `POST /v1/predict`. The waiter was registered before the job was enqueued, so no
   * completion event can slip past it, and the event carries the outcome: the answer needs no read of the job back
   * (the job hash also holds the input tensor, kilobytes per request). Only an ending found by the periodic
   * re-check (a missed event) or a timeout reads Redis.
   */
  async function awaitPrediction(
    id: string,
    index: number | undefined,
    known: JobSnapshot['data'],
    wait: Wait,
    res: Response,
  ): Promise<JobSnapshot> {
    const cancel = cancelOnClose(res, wait);
    try {
      const ending = await wait.done;
      if (ending.kind === 'completed' || ending.kind === 'failed') {
        const base: JobSnapshot = { id, status: 'queued', data: known };
        const job: FinishedJob =
          ending.kind === 'failed'
            ? { finishedOn: ending.at, failedReason: ending.reason }
            : { finishedOn: ending.at, returnvalue: ending.returnvalue };
        return finishedSnapshot(base, job, index);
      }
      return await readJob(id);
    } finally {
      cancel();
    }
  }

  router.post('/v1/jobs', async (req, res) => {
    const { id } = await submit(req, res, enqueueJob);
    const links = jobLinks(id);
    res
      .status(202)
      .location(links.self)
      .json({ id, status: 'queued', requestId: String(req.id), links });
  });

  router.get('/v1/jobs/:id', async (req, res) => {
    const id = req.params['id'] ?? '';
    const raw = req.query['wait'];
    let waitS = 0;
    if (raw !== undefined) {
      waitS = Number(raw);
      if (typeof raw !== 'string' || !Number.isFinite(waitS) || waitS < 0 || waitS > config.MAX_WAIT_S) {
        throw new AppError('VALIDATION_FAILED', `wait must be a number of seconds in [0, ${config.MAX_WAIT_S}]`);
      }
    }
    let snap = await readJob(id);
    if (!finished(snap) && waitS > 0) snap = await waitForEnd(id, waitS * 1000, res);
    const webhook = snap.data.webhook ? await deps.webhookState(id).catch(() => null) : null;
    res.json(renderJob(snap, webhook));
  });

  router.post('/v1/predict', async (req, res) => {
    const { id, index, wait, data } = await submit(req, res, enqueuePrediction);
    // Only what the answer needs is kept across the wait, not the job data with its input tensor.
    const known = { requestId: data.requestId, submittedAt: data.submittedAt };
    const snap = await awaitPrediction(id, index, known, wait as Wait, res);
    const links = jobLinks(id);
    if (snap.status === 'completed' && snap.result) {
      res.json(renderJob(snap, null));
    } else if (snap.status === 'failed' && snap.error) {
      const { code, message } = snap.error;
      res.status(statusForCode(code)).json({ error: { code, message, details: { jobId: id, links } } });
    } else {
      res
        .status(504)
        .location(links.self)
        .json({
          error: {
            code: 'TIMEOUT',
            message: `job ${id} did not finish within ${config.SYNC_TIMEOUT_MS} ms; poll ${links.wait}`,
            details: { jobId: id, status: snap.status, links },
          },
        });
    }
  });

  return router;
}
