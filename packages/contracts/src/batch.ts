import { randomUUID } from 'node:crypto';
import { AppError } from '@mserve/common';
import type { InferenceJobData } from './jobs';
import type { InferenceResult, JobFailure } from './results';

/**
 * Name of the jobs that carry several synchronous predictions at once. The gateway groups `POST /v1/predict`
 * requests that arrive while its previous enqueue is still in flight into one such job (group commit): under load
 * the per-job costs of the queue (Redis scripts, events, locks, the worker's bookkeeping) are paid once per group
 * instead of once per request, and an idle service enqueues every request at once, alone.
 */
export const INFERENCE_BATCH_JOB_NAME = 'predict-batch';

/** Most items one batch job may hold: item ids keep the index in 12 bits. */
export const BATCH_ITEMS_MAX = 4096;

/** Payload of a batch job: one inference payload per grouped request, in order. */
export interface BatchJobData {
  v: 1;
  items: InferenceJobData[];
}

/** One item's outcome inside a batch: its own result, or its own error (the rest of the batch is unaffected). */
export type BatchItemOutcome = InferenceResult | JobFailure;

/** Return value of a batch job. */
export interface BatchJobResult {
  v: 1;
  items: BatchItemOutcome[];
}

const V8_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{9})([0-9a-f]{3})$/;

/**
 * A fresh batch job id: a UUID of version 8 (RFC 9562's layout for application-defined ids) whose last 12 bits are
 * zero. Item `i` of the batch gets the same UUID with `i` in those bits (see {@link batchItemId}), so every
 * prediction keeps an id of the documented UUID form from which its job can be found without any lookup table.
 */
export function newBatchId(): string {
  const u = randomUUID();
  return `${u.slice(0, 14)}8${u.slice(15, 33)}000`;
}

/** The id of item `index` of batch `batchId`. */
export function batchItemId(batchId: string, index: number): string {
  const m = V8_RE.exec(batchId);
  if (!m || !Number.isInteger(index) || index < 0 || index >= BATCH_ITEMS_MAX) {
    throw new Error(`no item ${index} of batch ${batchId}`);
  }
  return `${m[1]}${index.toString(16).padStart(3, '0')}`;
}

/** Batch job id and index of a prediction id, or null for the id of a job of its own (any other UUID). */
export function parseBatchItemId(id: string): { batchId: string; index: number } | null {
  const m = V8_RE.exec(id.toLowerCase());
  if (!m) return null;
  return { batchId: `${m[1]}000`, index: parseInt(m[2] as string, 16) };
}

/** Checks the envelope of a batch payload read back from Redis; each item is then checked on its own. */
export function parseBatchData(raw: unknown): { items: unknown[] } {
  const d = raw as Partial<BatchJobData> | null;
  if (!d || typeof d !== 'object') throw new AppError('VALIDATION_FAILED', 'batch payload is not an object');
  if (d.v !== 1) throw new AppError('VALIDATION_FAILED', `unsupported batch payload version ${String(d.v)}`);
  if (!Array.isArray(d.items) || d.items.length === 0 || d.items.length > BATCH_ITEMS_MAX) {
    throw new AppError('VALIDATION_FAILED', `batch payload needs 1..${BATCH_ITEMS_MAX} items`);
  }
  return { items: d.items };
}
