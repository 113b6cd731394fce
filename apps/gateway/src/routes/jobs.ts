import { AppError } from '@mserve/common';
import express, { Router, type Request, type Response } from 'express';
import { callerOf, requireScope } from '../auth';
import { clip } from '../clip';
import type { GatewayDeps } from '../deps';
import { parseFeedback, recordJobFeedback } from '../monitoring';
import { BULK_MAX_IMAGES } from '../pipeline/bulk';
import { parseCancelAfter } from '../pipeline/deadline';
import { parsePrefer, preferenceApplied } from '../prefer';
import { parseIdempotencyKey } from '../pipeline/idempotency';
import { parseWaitSeconds, wantsInput } from '../pipeline/params';
import type { Submission } from '../pipeline/submit';
import { createSubmissionReader } from '../upload';
import {
  renderBatch,
  renderBatchAccepted,
  renderAccepted,
  renderJob,
  renderPrediction,
  renderReplay,
  type Rendered,
} from '../views';
import { methodNotAllowed } from './method-not-allowed';

/** Aborts when the client goes away: the response's close (the request's fires once the body is read). */
function clientGone(res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => ac.abort());
  return ac.signal;
}

/**
 * Whose Idempotency-Keys a request uses: the caller's tenant (`default` while auth is off), so two tenants' keys
 * never meet while a tenant's keys are shared by all its API keys (a retry may come through a rotated key).
 */
export function idempotencyScope(req: Request): string {
  return callerOf(req).tenant;
}

/** The caller's tenant when auth is on (jobs are stamped with it and only it sees them); undefined when off. */
function tenantOf(req: Request): string | undefined {
  return req.caller?.keyId ? req.caller.tenant : undefined;
}

/** The request's Idempotency-Key (400 when malformed), scoped to its caller, and the caller's tenant. */
function submitOptions(req: Request) {
  const key = parseIdempotencyKey(req.headers['idempotency-key'], idempotencyScope(req));
  const tenant = tenantOf(req);
  return { ...(key ? { idempotencyKey: key } : {}), ...(tenant !== undefined ? { tenant } : {}) };
}

/** The submission with its `Cancel-After` header (checked before the body is read: a bad header is a cheap 400). */
async function readWithDeadline(
  read: (req: Request, res: Response) => Promise<Submission>,
  req: Request,
  res: Response,
): Promise<Submission> {
  const cancelAfterMs = parseCancelAfter(req.headers['cancel-after']);
  const sub = await read(req, res);
  return cancelAfterMs !== undefined ? { ...sub, cancelAfterMs } : sub;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function send(res: Response, r: Rendered): void {
  if (r.location) res.location(r.location);
  res.status(r.status).json(r.body);
}

/** `POST /v1/jobs`, `GET /v1/jobs/:id` (with `?wait=` long-poll) and `POST /v1/predict`: HTTP in and out only. */
export function jobsRouter(deps: GatewayDeps): Router {
  const { config } = deps;
  const readSubmission = createSubmissionReader(config.MAX_UPLOAD_BYTES);
  const readBulk = createSubmissionReader(config.MAX_UPLOAD_BYTES, BULK_MAX_IMAGES);
  // Routed by the submission's model, version and label fields to the service of one model version.
  const service = deps.models.jobs;
  const [predict, read] = [requireScope('predict', deps.auth), requireScope('read', deps.auth)];
  const cancel = async (req: Request<{ id: string }>, res: Response) => {
    const tenant = tenantOf(req);
    const { canceled, message, snap } = await service.cancelJob(req.params.id, clientGone(res), tenant);
    res.json({ canceled, message, job: renderJob(snap, null, config.MAX_WAIT_S) });
  };
  const router = Router();

  router
    .route('/v1/jobs')
    .post(predict, async (req: Request, res) => {
      const opts = submitOptions(req);
      const sub = await readWithDeadline(readBulk, req, res);
      // A batch webhook makes a batch even of one image (one webhook for whatever a client groups).
      if (sub.images && (sub.images.length > 1 || sub.fields['webhook_scope'] === 'batch')) {
        const batch = await service.submitBatch(sub, req.id, opts);
        if (batch.replayed) res.set('Idempotent-Replayed', 'true');
        return send(res, renderBatchAccepted(batch.id, batch.jobIds, config.MAX_WAIT_S));
      }
      const { id, replayed } = await service.submitJob(sub, req.id, opts);
      if (!replayed) return send(res, renderAccepted(id, req.id, config.MAX_WAIT_S));
      // A replay answers with the job the key first made: accepted while it runs, the job itself once it ended.
      const { snap, webhook } = await service.getJob(id, 0, undefined, opts.tenant);
      res.set('Idempotent-Replayed', 'true');
      send(res, renderReplay(snap, webhook, config.MAX_WAIT_S, { input: wantsInput(sub.fields['include']) }));
    })
    .all(methodNotAllowed);

  router
    .route('/v1/jobs/:id')
    .get(read, async (req, res) => {
      const waitS = parseWaitSeconds(req.query['wait'], config.MAX_WAIT_S);
      const show = { input: wantsInput(req.query['include']) };
      const id = req.params['id'] ?? '';
      const { snap, webhook } = await service.getJob(id, waitS * 1000, clientGone(res), tenantOf(req));
      res.json(renderJob(snap, webhook, config.MAX_WAIT_S, show));
    })
    .delete(predict, cancel)
    .all(methodNotAllowed);

  router.route('/v1/jobs/:id/cancel').post(predict, cancel).all(methodNotAllowed);

  router
    .route('/v1/jobs/:id/feedback')
    .post(predict, express.json({ limit: '1kb', type: () => true }), async (req, res) => {
      const label = parseFeedback(req.body);
      const { snap } = await service.getJob(req.params['id'] ?? '', 0, undefined, tenantOf(req));
      res.json(await recordJobFeedback(snap, label, deps.monitoring));
    })
    .all(methodNotAllowed);

  router
    .route('/v1/batches/:id')
    .get(read, async (req, res) => {
      const waitS = parseWaitSeconds(req.query['wait'], config.MAX_WAIT_S);
      const id = req.params['id'] ?? '';
      if (!UUID_RE.test(id)) throw new AppError('NOT_FOUND', `no batch ${clip(id)}`);
      const snaps = await service.getBatch(id, waitS * 1000, clientGone(res), tenantOf(req));
      res.json(renderBatch(id, snaps, config.MAX_WAIT_S));
    })
    .all(methodNotAllowed);

  router
    .route('/v1/predict')
    .post(predict, async (req, res) => {
      const prefs = parsePrefer(req.headers['prefer'], config.MAX_WAIT_S);
      const opts = submitOptions(req);
      res.vary('Prefer');
      const applied = preferenceApplied(prefs);
      if (applied) res.set('Preference-Applied', applied);
      const sub = await readWithDeadline(readSubmission, req, res);
      const show = { input: wantsInput(sub.fields['include']) };
      if (prefs.respondAsync && prefs.waitS === undefined) {
        // Respond-async: the prediction is an asynchronous job, answered as POST /v1/jobs answers.
        const { id, replayed } = await service.submitJob(sub, req.id, opts);
        if (!replayed) return send(res, renderAccepted(id, req.id, config.MAX_WAIT_S));
        const { snap, webhook } = await service.getJob(id, 0, undefined, opts.tenant);
        return send(res, renderReplay(snap, webhook, config.MAX_WAIT_S, show));
      }
      const waitMs = prefs.waitS !== undefined ? prefs.waitS * 1000 : undefined;
      const snap = await service.predict(sub, req.id, clientGone(res), {
        ...opts,
        ...(waitMs !== undefined ? { waitMs } : {}),
      });
      // Past a wait the caller chose, the job is still on its way: 202 with it, as the caller asked, not a 504.
      if (waitMs !== undefined && (snap.status === 'queued' || snap.status === 'active')) {
        return send(res, renderReplay(snap, null, config.MAX_WAIT_S, show));
      }
      send(res, renderPrediction(snap, config.SYNC_TIMEOUT_MS, config.MAX_WAIT_S, show));
    })
    .all(methodNotAllowed);

  return router;
}
