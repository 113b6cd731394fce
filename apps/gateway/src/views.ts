import { statusForCode } from '@mserve/common';
import { modelInputImage } from '@mserve/contracts';
import type { JobSnapshot } from './pipeline/job-snapshot';

/** Opt-in parts of a job's answer. */
export interface RenderOptions {
  /** `include=input`: a completed job also shows the preprocessed image the model saw. */
  input?: boolean;
}

/**
 * Links every job representation carries; `wait` long-polls for the longest the gateway allows (`MAX_WAIT_S`), so
 * following it never earns a 400.
 */
export function jobLinks(id: string, maxWaitS: number) {
  const self = `/v1/jobs/${id}`;
  return { self, wait: maxWaitS > 0 ? `${self}?wait=${maxWaitS}` : self };
}

/** The body of `GET /v1/jobs/:id`: the result contract when completed, the error when failed, else the status. */
export function renderJob(
  snap: JobSnapshot,
  webhook: Record<string, unknown> | null,
  maxWaitS: number,
  show: RenderOptions = {},
): Record<string, unknown> {
  const common = {
    requestId: snap.data.requestId,
    submittedAt: new Date(snap.data.submittedAt).toISOString(),
    ...(snap.finishedAt ? { finishedAt: new Date(snap.finishedAt).toISOString() } : {}),
    links: jobLinks(snap.id, maxWaitS),
    ...(webhook ? { webhook } : {}),
  };
  if (snap.status === 'completed' && snap.result) {
    const input = show.input && snap.data.input ? { input: modelInputImage(snap.data.input) } : {};
    return { ...snap.result, id: snap.id, status: 'completed', ...common, ...input };
  }
  if (snap.status === 'failed' || snap.status === 'canceled' || snap.status === 'expired') {
    return { id: snap.id, status: snap.status, error: snap.error, ...common };
  }
  return { id: snap.id, status: snap.status, ...common };
}

/** An HTTP answer: status, JSON body and, when the client should look elsewhere, a Location. */
export interface Rendered {
  status: number;
  body: Record<string, unknown>;
  location?: string;
}

/** The body of `POST /v1/jobs`: 202 with the job's id and links. */
export function renderAccepted(id: string, requestId: string, maxWaitS: number): Rendered {
  const links = jobLinks(id, maxWaitS);
  return { status: 202, location: links.self, body: { id, status: 'queued', requestId, links } };
}

/**
 * A job answered where it may not have ended: a replayed `POST /v1/jobs` (same Idempotency-Key), or a
 * `POST /v1/predict` past its `Prefer: wait`. 202 with a Location while the job has not ended, 200 with the job
 * once it has.
 */
export function renderReplay(
  snap: JobSnapshot,
  webhook: Record<string, unknown> | null,
  maxWaitS: number,
  show: RenderOptions = {},
): Rendered {
  if (snap.status === 'queued' || snap.status === 'active') {
    const accepted = renderAccepted(snap.id, snap.data.requestId, maxWaitS);
    return { ...accepted, body: { ...accepted.body, status: snap.status } };
  }
  return { status: 200, body: renderJob(snap, webhook, maxWaitS, show) };
}

/**
 * The answer of `POST /v1/predict`: the completed job; the job's failure with the status of its error code and the
 * links to read it back; or, when it did not end within `timeoutMs`, 504 TIMEOUT pointing at the job to poll.
 */
export function renderPrediction(
  snap: JobSnapshot,
  timeoutMs: number,
  maxWaitS: number,
  show: RenderOptions = {},
): Rendered {
  const { id } = snap;
  const links = jobLinks(id, maxWaitS);
  if (snap.status === 'completed' && snap.result) {
    return { status: 200, body: renderJob(snap, null, maxWaitS, show) };
  }
  if ((snap.status === 'failed' || snap.status === 'canceled' || snap.status === 'expired') && snap.error) {
    const { code, message } = snap.error;
    return { status: statusForCode(code), body: { error: { code, message, details: { jobId: id, links } } } };
  }
  return {
    status: 504,
    location: links.self,
    body: {
      error: {
        code: 'TIMEOUT',
        message: `job ${id} did not finish within ${timeoutMs} ms; poll ${links.wait}`,
        details: { jobId: id, status: snap.status, links },
      },
    },
  };
}

/** Links of a batch; `wait` long-polls as long as the gateway allows. */
export function batchLinks(id: string, maxWaitS: number) {
  const self = `/v1/batches/${id}`;
  return { self, wait: maxWaitS > 0 ? `${self}?wait=${maxWaitS}` : self };
}

/** The answer of a bulk `POST /v1/jobs`: 202 with one job per image and the batch, Location naming the batch. */
export function renderBatchAccepted(id: string, jobIds: string[], maxWaitS: number): Rendered {
  const links = batchLinks(id, maxWaitS);
  const jobs = jobIds.map((j) => ({ id: j, links: jobLinks(j, maxWaitS) }));
  return { status: 202, location: links.self, body: { id, status: 'queued', jobs, links } };
}

/** The body of `GET /v1/batches/:id`: its jobs, how many are in each state, and whether all ended. */
export function renderBatch(id: string, snaps: JobSnapshot[], maxWaitS: number): Record<string, unknown> {
  const counts: Record<string, number> = {};
  for (const s of snaps) counts[s.status] = (counts[s.status] ?? 0) + 1;
  const done = snaps.every((s) => s.status !== 'queued' && s.status !== 'active');
  const jobs = snaps.map((s) => renderJob(s, null, maxWaitS));
  return { id, done, counts, jobs, links: batchLinks(id, maxWaitS) };
}
