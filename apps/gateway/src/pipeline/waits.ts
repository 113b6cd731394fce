/**
 * Reading a job and waiting for its end: the long-poll of `GET /v1/jobs/:id?wait=` and the synchronous wait of
 * `POST /v1/predict`. A wait ends early when `signal` aborts (the client went away).
 */
import { AppError } from '@mserve/common';
import { parseBatchItemId } from '@mserve/contracts';
import { clip } from '../clip';
import { finishedSnapshot, type FinishedJob, type JobSnapshot } from './job-snapshot';
import type { Ending, JobRepository, JobWaiters, Wait } from './ports';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True once the job has an outcome. */
export function isFinished(snap: JobSnapshot): boolean {
  return snap.status !== 'queued' && snap.status !== 'active';
}

/** The tenant of jobs that carry none (made while AUTH_MODE=off). */
const NO_TENANT = 'default';

/**
 * The job's snapshot; 404 NOT_FOUND for an id that is no job id, unknown, or removed by retention, and, when
 * `tenant` is given, for another tenant's job: the same answer after the same one read, so neither the status nor
 * the body nor the time taken tells another tenant's job from an unknown id.
 */
export async function readJob(jobs: Pick<JobRepository, 'get'>, id: string, tenant?: string): Promise<JobSnapshot> {
  const found = UUID_RE.test(id) ? await jobs.get(id) : null;
  const snap = found && ownedBy(found, tenant) ? found : null;
  if (!snap) throw new AppError('NOT_FOUND', `no job ${clip(id)} (unknown, or removed after the retention period)`);
  return snap;
}

/** True when `tenant` (undefined: anyone, auth off) may see the job. */
export function ownedBy(snap: JobSnapshot, tenant: string | undefined): boolean {
  return tenant === undefined || (snap.data.tenant ?? NO_TENANT) === tenant;
}

/** Cancels `wait` when `signal` aborts; returns the clean-up, which also ends the wait. */
function cancelOnAbort(wait: Wait, signal: AbortSignal | undefined): () => void {
  const onAbort = () => wait.cancel();
  if (signal?.aborted) wait.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    wait.cancel();
    signal?.removeEventListener('abort', onAbort);
  };
}

/** Waits until the job ends or `ms` pass, robust to missed events; returns the latest snapshot. */
export async function waitForEnd(
  jobs: Pick<JobRepository, 'get'>,
  waiters: JobWaiters,
  id: string,
  ms: number,
  signal?: AbortSignal,
): Promise<JobSnapshot> {
  // A grouped prediction ends when its batch job does.
  const item = parseBatchItemId(id);
  const wait = waiters.wait(item?.batchId ?? id, ms);
  const cleanUp = cancelOnAbort(wait, signal);
  try {
    // The event may have fired before the waiter existed: read the state once more now that it does.
    const snap = await readJob(jobs, id);
    if (isFinished(snap)) return snap;
    const ending = await wait.done;
    // The completion event carries the outcome and the read above the request's data: no second read of the job
    // (its hash holds the input tensor, kilobytes per job).
    const finished = fromEnding(snap, ending, item?.index);
    return finished ?? (await readJob(jobs, id));
  } finally {
    cleanUp();
  }
}

/** The finished snapshot an ending with an outcome describes, or undefined when the store must be read. */
function fromEnding(known: JobSnapshot, ending: Ending, index: number | undefined): JobSnapshot | undefined {
  if (ending.kind !== 'completed' && ending.kind !== 'failed') return undefined;
  const base: JobSnapshot = { id: known.id, status: 'queued', data: known.data };
  const job: FinishedJob =
    ending.kind === 'failed'
      ? { finishedOn: ending.at, failedReason: ending.reason }
      : { finishedOn: ending.at, returnvalue: ending.returnvalue };
  return finishedSnapshot(base, job, index);
}

/**
 * The synchronous wait of `POST /v1/predict`. The waiter was registered before the job was enqueued, so no
 * completion event can slip past it, and the event carries the outcome: the answer needs no read of the job back
 * (the job hash also holds the input tensor, kilobytes per request). Only an ending found by the periodic
 * re-check (a missed event) or a timeout reads the store.
 */
export async function awaitPrediction(
  jobs: Pick<JobRepository, 'get'>,
  enqueued: { id: string; index?: number; wait: Wait },
  known: JobSnapshot['data'],
  signal?: AbortSignal,
): Promise<JobSnapshot> {
  const { id, index, wait } = enqueued;
  const cleanUp = cancelOnAbort(wait, signal);
  try {
    const ending = await wait.done;
    return fromEnding({ id, status: 'queued', data: known }, ending, index) ?? (await readJob(jobs, id));
  } finally {
    cleanUp();
  }
}
