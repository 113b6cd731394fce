/**
 * One webhook per bulk submission (`webhook_scope=batch`): the batch keeps its webhook beside its job ids, every
 * job that ends records its final state in the batch, and the record that completes the set queues the one
 * `batch.completed` delivery. Whoever ends a job records it: the worker (completed, failed, expired) and the gateway
 * (a queued job canceled).
 */
import type { BatchWebhookData, WebhookEvent, WebhookSubscription } from '@mserve/contracts';
import type { Queue } from 'bullmq';
import { enqueueWebhook } from './queue';

/**
 * The Redis key of batch `batchId`'s job ids; its webhook and the states its jobs ended in sit beside it. The id is
 * a hash tag, so on a Redis Cluster the three keys one script touches share a slot (unless the prefix or queue
 * name carries a tag of its own, which puts them in one slot as well).
 */
export function batchKey(prefix: string, queueName: string, batchId: string): string {
  return `${prefix}:${queueName}:mserve:batch:{${batchId}}`;
}

/** The keys of a batch's webhook and of the states its jobs ended in (same hash slot as the batch's key). */
export function batchWebhookKeys(key: string): { webhook: string; ended: string } {
  return { webhook: `${key}:webhook`, ended: `${key}:ended` };
}

// Atomic so that exactly one caller sees the set complete, and idempotent per job (HSETNX): a job re-run after a
// worker crash, or ended twice by a cancel racing its worker, is counted once. The ended states keep the batch's
// TTL. Returns the webhook, the ids and the ended states when this record completed the set, else false.
const RECORD_END_LUA = `
local ids = redis.call('GET', KEYS[1])
local hook = redis.call('GET', KEYS[2])
if not ids or not hook then return false end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return false end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
if redis.call('HLEN', KEYS[3]) < #cjson.decode(ids) then return false end
return {hook, ids, redis.call('HGETALL', KEYS[3])}
`;

/** The part of an ioredis client {@link recordBatchEnd} uses. */
export interface EvalClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/** What completes a batch: where to deliver, and the delivery's data. */
export interface CompletedBatch {
  webhook: WebhookSubscription;
  data: BatchWebhookData;
}

/**
 * Records that job `jobId` of the batch at `key` ended in `status`; returns the batch's webhook and delivery data
 * when this was the last job of the batch to end, else null (also for a batch without a batch webhook).
 */
export async function recordBatchEnd(
  redis: EvalClient,
  key: string,
  batchId: string,
  jobId: string,
  status: WebhookEvent,
): Promise<CompletedBatch | null> {
  const k = batchWebhookKeys(key);
  const out = await redis.eval(RECORD_END_LUA, 3, key, k.webhook, k.ended, jobId, status);
  if (!Array.isArray(out)) return null;
  const [hook, ids, flat] = out as [string, string, string[]];
  const ended = new Map<string, WebhookEvent>();
  for (let i = 0; i + 1 < flat.length; i += 2) ended.set(flat[i] as string, flat[i + 1] as WebhookEvent);
  const jobs = (JSON.parse(ids) as string[]).map((id) => ({ id, status: ended.get(id) ?? status }));
  const counts: Record<string, number> = {};
  for (const j of jobs) counts[j.status] = (counts[j.status] ?? 0) + 1;
  return { webhook: JSON.parse(hook) as WebhookSubscription, data: { id: batchId, counts, jobs } };
}

/**
 * Queues the one delivery of a completed batch (idempotent: its delivery id derives from the batch id), signed
 * with the secrets of `tenant` when auth is on.
 */
export async function enqueueBatchWebhook(
  queue: Queue,
  batch: CompletedBatch,
  from: { requestId?: string; tenant?: string } = {},
): Promise<void> {
  await enqueueWebhook(queue, {
    jobId: batch.data.id,
    event: 'completed',
    type: 'batch.completed',
    url: batch.webhook.url,
    payload: batch.data,
    ...(from.requestId ? { requestId: from.requestId } : {}),
    ...(from.tenant !== undefined ? { tenant: from.tenant } : {}),
  });
}
