import { createHash } from 'node:crypto';
import { AppError } from '@mserve/common';
import type { RedisClient } from '@mserve/redis';
import { admitJob, releaseJob, tenancyKeys, type withFairShareScript } from '@mserve/tenancy';
import type { IdempotencyKey, IdempotencyRecord, IdempotencyStore } from './pipeline/idempotency';
import type { TenantAdmission } from './pipeline/ports';
import type { RedisCalls } from './store-calls';
import { parseJson, type StoreRedis } from './store-scripts';

/** Longest a tenant's job is counted when nothing uncounted it (a job lives at most its queue time plus a run). */
const DAY_MS = 86_400_000;

/**
 * Idempotency keys of one queue in Redis: per scope, the caller's key hashed to a bounded name under the queue's
 * namespace (`toKey`), claimed with one SET NX and settled only by the job that claimed it.
 */
export class RedisIdempotency implements IdempotencyStore {
  constructor(
    private readonly redis: RedisClient & StoreRedis,
    private readonly calls: RedisCalls,
    private readonly toKey: (name: string) => string,
  ) {}

  private key(k: IdempotencyKey): string {
    const digest = createHash('sha256').update(k.key).digest('hex');
    return this.toKey(`idempotency:${k.scope}:${digest}`);
  }

  /** Claims an idempotency key atomically (one SET NX); null when claimed, else the record already there. */
  async claim(k: IdempotencyKey, record: IdempotencyRecord, leaseMs: number): Promise<IdempotencyRecord | null> {
    const found = await this.calls.call(() => this.redis.mserveClaim(this.key(k), JSON.stringify(record), leaseMs));
    return found === null ? null : (parseJson(found) as IdempotencyRecord);
  }

  /** Keeps a claimed key as `record` for `ttlS`, if it still names the job. */
  async settle(k: IdempotencyKey, record: IdempotencyRecord, ttlS: number): Promise<void> {
    await this.calls.call(() => this.redis.mserveSettle(this.key(k), record.jobId, JSON.stringify(record), ttlS));
  }

  /** Frees a claimed key, if it still names the job. */
  async release(k: IdempotencyKey, jobId: string): Promise<void> {
    await this.calls.call(() => this.redis.mserveSettle(this.key(k), jobId, '', 0));
  }
}

/** What tenant admission needs to know of the gateway's configuration. */
export interface TenantLimits {
  QUEUE_NAME: string;
  QUEUE_PREFIX: string;
  TENANT_MAX_JOBS?: number | undefined;
  MAX_QUEUE_TIME_S?: number | undefined;
}

/** Counts each tenant's unfinished jobs of one queue in Redis (the worker uncounts a job when it ends). */
export class RedisTenantAdmission implements TenantAdmission {
  constructor(
    private readonly redis: RedisClient & ReturnType<typeof withFairShareScript>,
    private readonly calls: RedisCalls,
    private readonly limits: TenantLimits,
  ) {}

  /** The set counting `tenant`'s unfinished jobs. */
  private openJobsKey(tenant: string): string {
    return tenancyKeys(this.limits.QUEUE_PREFIX).openJobs(this.limits.QUEUE_NAME, tenant);
  }

  /** Counts job `id` against `tenant` (atomic per tenant); its fair-share rank, or 429 TENANT_QUOTA. */
  async admitTenantJob(tenant: string, id: string): Promise<number> {
    const limit = this.limits.TENANT_MAX_JOBS ?? Number.MAX_SAFE_INTEGER;
    const queueS = this.limits.MAX_QUEUE_TIME_S ?? 0;
    const maxAgeMs = queueS > 0 ? queueS * 1000 + 600_000 : DAY_MS;
    const r = await this.calls.call(() => admitJob(this.redis, this.openJobsKey(tenant), id, limit, maxAgeMs));
    if (!r.admitted) {
      throw new AppError('TENANT_QUOTA', `this tenant has ${r.open} unfinished jobs (limit ${limit}); retry later`);
    }
    return r.rank;
  }

  /** Uncounts job `id` of `tenant`. */
  async releaseTenantJob(tenant: string, id: string): Promise<void> {
    await this.calls.call(() => releaseJob(this.redis, this.openJobsKey(tenant), id));
  }
}
