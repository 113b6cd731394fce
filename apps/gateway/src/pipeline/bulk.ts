/**
 * Bulk submission: several images in one `POST /v1/jobs`, one job per image plus a batch id naming them all, and
 * the batch read back (`GET /v1/batches/:id`, long-polling until every job ended). The jobs are ordinary jobs of
 * their own; the batch is only the list of their ids.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@mserve/common';
import type { InferenceJobData, WebhookSubscription } from '@mserve/contracts';
import { clip } from '../clip';
import type { JobSnapshot } from './job-snapshot';
import type { JobRepository, JobWaiters } from './ports';
import type { Submission } from './submit';
import { isFinished, ownedBy, waitForEnd } from './waits';

/** Most images one bulk submission may carry. */
export const BULK_MAX_IMAGES = 100;

/** Where batches (lists of job ids, and the webhook of a batch that has one) are kept. */
export interface BatchStore {
  saveBatch(id: string, jobIds: string[], ttlS: number, webhook?: WebhookSubscription): Promise<void>;
  /** The job ids of batch `id`, or null when unknown or expired. */
  readBatch(id: string): Promise<string[] | null>;
}

/** One payload per image, all or none: the first image refused refuses the submission, naming its index. */
export async function prepareAll(
  sub: Submission,
  prepare: (one: Submission) => Promise<InferenceJobData>,
): Promise<InferenceJobData[]> {
  const images = sub.images ?? [sub.image];
  const out: InferenceJobData[] = [];
  for (const [i, image] of images.entries()) {
    try {
      out.push(await prepare({ ...sub, image, images: [] }));
    } catch (e) {
      if (e instanceof AppError) throw new AppError(e.code, `image ${i}: ${e.message}`, { index: i });
      throw e;
    }
  }
  return out;
}

/**
 * With `webhook_scope` batch the jobs carry the batch id instead of the webhook, and the batch carries the webhook:
 * each job records its end in the batch and the last one queues the one delivery.
 */
export function toBatchWebhook(
  payloads: InferenceJobData[],
  batchId: string,
): { payloads: InferenceJobData[]; webhook?: WebhookSubscription } {
  const webhook = payloads[0]?.webhook;
  if (!webhook) return { payloads };
  return { payloads: payloads.map(({ webhook: _own, ...data }) => ({ ...data, batch: batchId })), webhook };
}

/**
 * Records the batch as `id` (with its webhook, if it has one of its own), then enqueues the payloads as jobs of
 * their own in one round trip; returns the ids. The batch is written first: a job that ends at once must find it.
 */
export async function enqueueAll(
  jobs: Pick<JobRepository, 'enqueueMany'>,
  batches: BatchStore,
  ttlS: number,
  payloads: InferenceJobData[],
  id: string = randomUUID(),
  webhook?: WebhookSubscription,
  admit?: (ids: string[]) => Promise<{ ranks: number[]; undo(): Promise<void> }>,
): Promise<{ id: string; jobIds: string[] }> {
  const ids = payloads.map(() => randomUUID());
  const admitted = admit ? await admit(ids) : undefined;
  const all = payloads.map((data, i) => {
    const rank = admitted?.ranks[i];
    return { id: ids[i] as string, data, ...(rank !== undefined ? { rank } : {}) };
  });
  try {
    await batches.saveBatch(id, ids, ttlS, webhook);
    await jobs.enqueueMany(all);
  } catch (e) {
    await admitted?.undo();
    throw e;
  }
  return { id, jobIds: ids };
}

/** The jobs of a batch, waiting up to `waitMs` for all to end; a job removed by retention is left out. */
export async function readBatchJobs(
  deps: { jobs: Pick<JobRepository, 'get'>; waiters: JobWaiters; batches: BatchStore },
  id: string,
  waitMs: number,
  signal?: AbortSignal,
  tenant?: string,
): Promise<JobSnapshot[]> {
  const ids = await deps.batches.readBatch(id);
  const missing = () =>
    new AppError('NOT_FOUND', `no batch ${clip(id)} (unknown, or removed after the retention period)`);
  if (!ids) throw missing();
  let snaps = (await Promise.all(ids.map((j) => deps.jobs.get(j)))).filter((s): s is JobSnapshot => s !== null);
  // Another tenant's batch is unknown to the caller, exactly like an id that never existed.
  if (!snaps.every((s) => ownedBy(s, tenant))) throw missing();
  if (waitMs > 0 && !snaps.every(isFinished)) {
    snaps = await Promise.all(
      snaps.map((s) => (isFinished(s) ? s : waitForEnd(deps.jobs, deps.waiters, s.id, waitMs, signal))),
    );
  }
  return snaps;
}
