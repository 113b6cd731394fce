/**
 * Per-tenant accounting of unfinished jobs, for the tenant quota and the fair-share order. Each tenant has a sorted
 * set of its queued and running jobs; admitting a job adds it and returns its rank (how many of the tenant's jobs
 * are ahead of it, plus one), which the gateway uses as the job's BullMQ priority. A worker takes the lowest
 * priority first, so a quiet tenant's job (rank 1) goes ahead of a flooding tenant's backlog (ranks 2..n): the
 * queue serves tenants round-robin, one job of each per rank. Workers remove a job when it ends; entries older than
 * the longest a job can live are pruned at admission, so a crash that skipped the removal heals by itself.
 */
import type { Cluster } from 'ioredis';
import type IORedis from 'ioredis';

const ADMIT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[2]) then return -n end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n + 1`;

interface FairRedis {
  mserveAdmit(key: string, jobId: string, limit: number, maxAgeMs: number): Promise<number>;
}

/** Defines the admission script on `redis`. */
export function withFairShareScript<R extends IORedis | Cluster>(redis: R): R & FairRedis {
  redis.defineCommand('mserveAdmit', { numberOfKeys: 1, lua: ADMIT });
  return redis as R & FairRedis;
}

/** How an admission went: the job's rank among its tenant's unfinished jobs, or the count that refused it. */
export type Admission = { admitted: true; rank: number } | { admitted: false; open: number };

/** Admits `jobId` into its tenant's set `key` unless the tenant already has `limit` unfinished jobs. */
export async function admitJob(
  redis: FairRedis,
  key: string,
  jobId: string,
  limit: number,
  maxAgeMs: number,
): Promise<Admission> {
  const r = Number(await redis.mserveAdmit(key, jobId, limit, maxAgeMs));
  return r > 0 ? { admitted: true, rank: r } : { admitted: false, open: -r };
}

/** Removes an ended (or never enqueued) job from its tenant's set. */
export async function releaseJob(redis: IORedis | Cluster, key: string, jobId: string): Promise<void> {
  await redis.zrem(key, jobId);
}

/**
 * BullMQ priorities are 1..2^21; a normal job's is its rank, a low job's is above every normal one (taken only when
 * no normal job waits, as without tenants). High jobs do not use a priority (they go to the head of the wait list).
 */
export const LOW_PRIORITY_BASE = 1_000_000;

/** The BullMQ priority of a job of `rank` in its class. */
export function fairPriority(rank: number, low: boolean): number {
  const r = Math.min(Math.max(1, rank), LOW_PRIORITY_BASE - 1);
  return low ? LOW_PRIORITY_BASE + r : r;
}
