import { decodeFailure, type BatchJobResult, type InferenceJobData, type InferenceResult } from '@mserve/contracts';

/** Client-facing job states. BullMQ's waiting, prioritized and delayed are all "queued" to a client. */
export type JobStatus = 'queued' | 'active' | 'completed' | 'failed' | 'canceled' | 'expired';

/** What the gateway knows about one job. */
export interface JobSnapshot {
  id: string;
  status: JobStatus;
  /** The request's data; `input` (the model input tensor) when the reader had it at hand, for `include=input`. */
  data: Pick<InferenceJobData, 'requestId' | 'submittedAt' | 'webhook' | 'deadlineAt' | 'batch' | 'tenant'> &
    Partial<Pick<InferenceJobData, 'input'>>;
  result?: InferenceResult;
  error?: { code: string; message: string };
  finishedAt?: number;
}

/** What a finished job's hash, or its completion event, tells of its outcome. */
export interface FinishedJob {
  /** Epoch ms of the end. */
  finishedOn: number;
  failedReason?: string;
  returnvalue?: unknown;
}

/**
 * Fills a finished job's outcome into `snap`: the job's own, or that of item `index` of a batch job (a batch job
 * that failed as a whole fails every item; an item missing from its result is an INTERNAL failure).
 */
export function finishedSnapshot(snap: JobSnapshot, job: FinishedJob, index: number | undefined): JobSnapshot {
  snap.finishedAt = job.finishedOn;
  if (job.failedReason) {
    snap.error = decodeFailure(job.failedReason);
    snap.status = stoppedStatus(snap.error.code) ?? 'failed';
    return snap;
  }
  const outcome =
    index === undefined
      ? (job.returnvalue as InferenceResult | undefined)
      : (job.returnvalue as BatchJobResult | null | undefined)?.items?.[index];
  if (!outcome) {
    snap.status = 'failed';
    snap.error = { code: 'INTERNAL', message: 'the job finished without a result for this prediction' };
  } else if (outcome.status === 'failed') {
    snap.status = 'failed';
    snap.error = outcome.error;
  } else {
    snap.status = 'completed';
    snap.result = outcome;
  }
  return snap;
}

/** The state a job ends in when it failed with `code`: canceled and expired jobs were stopped, not failed. */
export function stoppedStatus(code: string): 'canceled' | 'expired' | undefined {
  if (code === 'CANCELED') return 'canceled';
  if (code === 'EXPIRED') return 'expired';
  return undefined;
}
