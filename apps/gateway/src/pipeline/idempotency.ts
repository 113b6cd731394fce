/**
 * Idempotency keys (IETF httpapi `Idempotency-Key` draft): a retried submission with the same key and the same
 * payload gets the job the first one created; the same key with another payload is refused (422), and a retry
 * that arrives while the first request is still being accepted is refused too (409): the first may still fail.
 */
import { createHash } from 'node:crypto';
import { AppError } from '@mserve/common';
import type { Submission } from './submit';

/** The longest key accepted (the draft sets no bound; UUIDs and ULIDs are far below it). */
export const IDEMPOTENCY_KEY_MAX = 255;

/**
 * How long a claimed key stays in the `accepting` state before it is free again: longer than validation,
 * preprocessing and the enqueue take, short enough that a gateway that died mid-accept does not lock the key out
 * for the whole retention period.
 */
export const IDEMPOTENCY_LEASE_MS = 30_000;

/** A key as the caller sent it, with the scope it belongs to. */
export interface IdempotencyKey {
  /** Whose key it is: keys of different callers never meet (one scope until the gateway authenticates callers). */
  scope: string;
  key: string;
}

/** What is remembered under a key. */
export interface IdempotencyRecord {
  /** Digest of the route and the payload the key was first used with. */
  fingerprint: string;
  /** The job the key made (for a bulk submission, its batch). */
  jobId: string;
  /** `accepting` while the first request validates and enqueues; `accepted` once its job exists. */
  state: 'accepting' | 'accepted';
}

/** The key store; atomic per key, so gateways racing the same key create one job. */
export interface IdempotencyStore {
  /** Stores `record` under the key unless one is there (for `leaseMs`); null when claimed, else the one there. */
  claim(key: IdempotencyKey, record: IdempotencyRecord, leaseMs: number): Promise<IdempotencyRecord | null>;
  /** Marks the key `accepted` for `ttlS`, if it still holds `jobId`. */
  settle(key: IdempotencyKey, record: IdempotencyRecord, ttlS: number): Promise<void>;
  /** Frees the key, if it still holds `jobId` (the request that claimed it was refused). */
  release(key: IdempotencyKey, jobId: string): Promise<void>;
}

/**
 * The `Idempotency-Key` header: undefined when absent; a 400 for an empty, too long or non-printable one. The
 * draft's Structured Field string form (`"abc"`) and a bare token are both accepted and mean the same key.
 */
export function parseIdempotencyKey(raw: string | string[] | undefined, scope: string): IdempotencyKey | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be sent once');
  }
  const quoted = /^"(.*)"$/.exec(raw.trim());
  const key = quoted ? (quoted[1] ?? '') : raw.trim();
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces`,
    );
  }
  return { scope, key };
}

/**
 * Digest of what makes two submissions the same request: the route, the image bytes (every image of a bulk
 * submission, in order) and the parameters.
 */
export function fingerprint(route: string, sub: Submission): string {
  const h = createHash('sha256');
  h.update(route).update('\0');
  for (const image of sub.images?.length ? sub.images : [sub.image]) h.update(image).update('\0');
  // `include` shapes the answer, not the job: a retry asking for more of the same job is the same request.
  const fields = Object.keys(sub.fields)
    .filter((k) => k !== 'include')
    .sort()
    .map((k) => [k, sub.fields[k]]);
  h.update(JSON.stringify(fields));
  return h.digest('hex');
}

/** What a key that was already there means for the request: the job to answer with, or the refusal. */
export function replayOf(existing: IdempotencyRecord, fp: string): string {
  if (existing.fingerprint !== fp) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used with a different request; use a new key for a new request',
    );
  }
  if (existing.state === 'accepting') {
    throw new AppError(
      'IDEMPOTENCY_KEY_IN_USE',
      'a request with this Idempotency-Key is still being accepted; retry shortly',
      // The id the job gets if the first request is accepted (a retry then answers with it).
      { jobId: existing.jobId },
    );
  }
  return existing.jobId;
}

/**
 * Runs `create(jobId)` once per key: claims the key for a fresh job id, settles it once the job exists, frees it
 * when the request is refused (a 4xx or a 503 must not pin the key to a job that was never made). Returns the job
 * id and whether it is a replay of an earlier request.
 */
export async function once(
  store: IdempotencyStore,
  key: IdempotencyKey,
  fp: string,
  ttlS: number,
  jobId: string,
  create: (jobId: string) => Promise<void>,
): Promise<{ id: string; replayed: boolean }> {
  const record: IdempotencyRecord = { fingerprint: fp, jobId, state: 'accepting' };
  const existing = await store.claim(key, record, IDEMPOTENCY_LEASE_MS);
  if (existing) return { id: replayOf(existing, fp), replayed: true };
  try {
    await create(jobId);
  } catch (e) {
    await store.release(key, jobId).catch(() => undefined);
    throw e;
  }
  await store.settle(key, { ...record, state: 'accepted' }, ttlS);
  return { id: jobId, replayed: false };
}
