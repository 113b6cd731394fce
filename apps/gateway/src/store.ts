import { AppError, type ErrorCode, type Logger } from '@mserve/common';
import {
  INFERENCE_BATCH_JOB_NAME,
  INFERENCE_JOB_NAME,
  parseBatchItemId,
  queueShards,
  shardOf,
  syncQueueName,
  type BatchJobData,
  type InferenceJobData,
  type ModelCard,
  type ModelLabels,
  type VersionStatus,
  type WebhookEvent,
  type WebhookSubscription,
  encodeFailure,
} from '@mserve/contracts';
import { withFairShareScript } from '@mserve/tenancy';
import {
  WEBHOOK_QUEUE,
  batchKey,
  batchWebhookKeys,
  enqueueBatchWebhook,
  enqueueWebhook,
  getDeliveryState,
  recordBatchEnd,
  type DeliveryState,
} from '@mserve/webhooks';
import { Queue } from 'bullmq';
import { createRedis, isCluster, queueNameFor, type RedisClient, type RedisEndpoint } from '@mserve/redis';
import type { GatewayConfig } from './config';
import type { JobSnapshot } from './pipeline/job-snapshot';
import type { BatchStore } from './pipeline/bulk';
import type { JobControl, JobRepository, StopResult } from './pipeline/ports';
import { RedisCalls } from './store-calls';
import { RedisIdempotency, RedisTenantAdmission } from './store-keys';
import { ModelRepositoryStore } from './store-repository';
import { priorityOf } from './store-placement';
import { hashFromList, parseJson, withStoreScripts, type StoreRedis } from './store-scripts';
import { snapshotFromHash } from './store-snapshot';

type StoreConfig = Pick<
  GatewayConfig,
  | keyof RedisEndpoint
  | 'QUEUE_NAME'
  | 'QUEUE_SHARDS'
  | 'REDIS_DURABLE_ACKS'
  | 'REDIS_DURABLE_REPLICAS'
  | 'REDIS_DURABLE_TIMEOUT_MS'
  | 'QUEUE_PREFIX'
  | 'REDIS_TIMEOUT_MS'
  | 'RESULT_TTL_S'
  | 'RESULT_MAX_COUNT'
  | 'SYNC_RESULT_TTL_S'
  | 'SYNC_RESULT_MAX_COUNT'
> &
  Partial<Pick<GatewayConfig, 'TENANT_MAX_JOBS' | 'MAX_QUEUE_TIME_S'>>;

/** One shard of the queues (see `queueShards`): its main queue and its queue of grouped synchronous predictions. */
interface Shard {
  queue: Queue;
  syncQueue: Queue;
}

/**
 * The gateway's side of the queue. Its Redis connection never buffers commands while Redis is away
 * (`enableOfflineQueue: false`) and every call is bounded by `REDIS_TIMEOUT_MS`, so a request fails with 503 within
 * a second instead of hanging; ioredis keeps reconnecting in the background, so the service recovers by itself.
 */
export class JobStore implements JobRepository, JobControl, BatchStore {
  private readonly redis: RedisClient & StoreRedis & ReturnType<typeof withFairShareScript>;
  /** The queues jobs are spread over (`QUEUE_SHARDS`); a job's shard follows from its id (`shardOf`). */
  private readonly shards: Shard[];
  /** The first shard's main queue: the namespace of idempotency keys and bulk submissions. */
  private readonly queue: Queue;
  /** The notifier's queue, read for the delivery state of a job's webhook (never written here). */
  private readonly webhookQueue: Queue;
  private depthInFlight: Promise<number> | undefined;
  /** Deadlines and durable acknowledgements of every operation on the producer connection. */
  private readonly calls: RedisCalls;
  private readonly repository: ModelRepositoryStore;
  /** Idempotency keys, in the first shard's main queue's namespace. */
  readonly idempotency: RedisIdempotency;
  /** Each tenant's count of unfinished jobs (`TENANT_MAX_JOBS`) and fair-share rank. */
  readonly tenants: RedisTenantAdmission;

  constructor(
    private readonly config: StoreConfig,
    private readonly logger: Logger,
  ) {
    if (config.REDIS_DURABLE_ACKS && isCluster(config)) {
      // WAIT counts the replicas of the node the connection wrote to; a cluster client spreads writes over nodes.
      throw new AppError('CONFIG_INVALID', 'REDIS_DURABLE_ACKS is not supported with REDIS_CLUSTER_NODES');
    }
    this.redis = withFairShareScript(
      withStoreScripts(
        createRedis(config, 'command', {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: Math.max(1000, config.REDIS_TIMEOUT_MS),
          // A backstop that drops hung commands; the request-level deadline is in call().
          commandTimeout: config.REDIS_TIMEOUT_MS * 5,
        }),
      ),
    );
    this.redis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'redis producer connection error'));
    const { REDIS_DURABLE_REPLICAS: replicas, REDIS_DURABLE_TIMEOUT_MS: timeoutMs } = config;
    this.calls = new RedisCalls(this.redis, {
      timeoutMs: config.REDIS_TIMEOUT_MS,
      ...(config.REDIS_DURABLE_ACKS ? { durable: { replicas, timeoutMs } } : {}),
    });
    this.repository = new ModelRepositoryStore(this.redis, config);
    const prefix = config.QUEUE_PREFIX;
    const open = (name: string): Queue => {
      const q = new Queue(name, { connection: this.redis, prefix });
      q.on('error', (err) => this.logger.debug({ err: err.message }, 'queue error'));
      return q;
    };
    this.shards = queueShards(config.QUEUE_NAME, config.QUEUE_SHARDS).map((name) => ({
      queue: open(name),
      syncQueue: open(syncQueueName(name)),
    }));
    this.queue = (this.shards[0] as Shard).queue;
    this.idempotency = new RedisIdempotency(this.redis, this.calls, (name) => this.queue.toKey(name));
    this.tenants = new RedisTenantAdmission(this.redis, this.calls, config);
    // Reading delivery state needs no connection of its own.
    this.webhookQueue = new Queue(queueNameFor(config, WEBHOOK_QUEUE), { connection: this.redis, prefix });
    this.webhookQueue.on('error', (err) => this.logger.debug({ err: err.message }, 'webhook queue error'));
  }

  /** The shard of job (or batch job) `id`. */
  private shardOf(id: string): Shard {
    return this.shards[shardOf(id, this.shards.length)] as Shard;
  }

  /** The queue holding job `id`: grouped predictions (version-8 ids) live in their batch's shard's sync queue. */
  private queueOf(id: string): Queue {
    const item = parseBatchItemId(id);
    return item ? this.shardOf(item.batchId).syncQueue : this.shardOf(id).queue;
  }

  private write<T>(op: () => Promise<T>): Promise<T> {
    return this.calls.write(op);
  }

  private call<T>(op: () => Promise<T>): Promise<T> {
    return this.calls.call(op);
  }

  /** Resolves once the connection is usable, or after `ms` (a store made while serving warms up first). */
  whenConnected(ms: number): Promise<void> {
    return this.calls.whenConnected(ms);
  }

  /** True once the connection has been up (see {@link RedisCalls.hasConnected}). */
  get hasConnected(): boolean {
    return this.calls.hasConnected;
  }

  /** Adds a job under the given id with the retention policy of results. */
  async enqueue(id: string, data: InferenceJobData, rank?: number): Promise<void> {
    const opts = {
      ...this.addOptions(this.config.RESULT_TTL_S, this.config.RESULT_MAX_COUNT),
      ...priorityOf(data, rank),
    };
    await this.write(() => this.shardOf(id).queue.add(INFERENCE_JOB_NAME, data, { ...opts, jobId: id }));
  }

  /**
   * Adds jobs of their own in one round trip (BullMQ's `addBulk`: one MULTI of the add scripts, all or none), each
   * under its own id with the retention policy of results. The async path groups concurrent submissions this way.
   */
  async enqueueMany(jobs: Array<{ id: string; data: InferenceJobData; rank?: number }>): Promise<void> {
    const [only] = jobs;
    if (jobs.length === 1 && only) return this.enqueue(only.id, only.data, only.rank);
    const opts = this.addOptions(this.config.RESULT_TTL_S, this.config.RESULT_MAX_COUNT);
    // One addBulk per shard (a MULTI must stay within one slot on a cluster).
    const byShard = new Map<Shard, typeof jobs>();
    for (const j of jobs) {
      const shard = this.shardOf(j.id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), j]);
    }
    await this.write(() =>
      Promise.all(
        [...byShard].map(([shard, group]) =>
          shard.queue.addBulk(
            group.map((j) => ({
              name: INFERENCE_JOB_NAME,
              data: j.data,
              opts: { ...opts, ...priorityOf(j.data, j.rank), jobId: j.id },
            })),
          ),
        ),
      ),
    );
  }

  /** Adds a batch job of grouped predictions (see `predict-batcher.ts`) to the sync queue, with its retention. */
  async enqueueBatch(batchId: string, items: InferenceJobData[]): Promise<void> {
    const data: BatchJobData = { v: 1, items };
    const { SYNC_RESULT_TTL_S, SYNC_RESULT_MAX_COUNT } = this.config;
    const { syncQueue } = this.shardOf(batchId);
    await this.add(syncQueue, INFERENCE_BATCH_JOB_NAME, batchId, data, SYNC_RESULT_TTL_S, SYNC_RESULT_MAX_COUNT);
  }

  /** One attempt (a failed inference does not get better on retry); finished jobs kept `ageS` and at most `count`. */
  private async add(queue: Queue, name: string, id: string, data: unknown, ageS: number, count: number) {
    const opts = { ...this.addOptions(ageS, count), jobId: id };
    await this.write(() => queue.add(name, data, opts));
  }

  private addOptions(ageS: number, count: number) {
    const keep = { age: ageS, count };
    return { attempts: 1, removeOnComplete: keep, removeOnFail: keep };
  }

  /**
   * Jobs waiting for a worker, in both queues of every shard: LLEN of the wait lists plus ZCARD of the prioritized
   * sets in one script of our own per shard (`store-scripts.ts`; a shard's keys share one slot), instead of
   * BullMQ's count script per queue: this runs before every submission. Concurrent callers share one round trip.
   */
  waitingCount(): Promise<number> {
    this.depthInFlight ??= this.call(async () => {
      const counts = await Promise.all(
        this.shards.map(({ queue: a, syncQueue: b }) =>
          this.redis.mserveWaiting(a.toKey('wait'), a.toKey('prioritized'), b.toKey('wait'), b.toKey('prioritized')),
        ),
      );
      return counts.reduce((sum, n) => sum + Number(n), 0);
    }).finally(() => {
      this.depthInFlight = undefined;
    });
    return this.depthInFlight;
  }

  /** Counts of every job state over all queues, for metrics and readiness. */
  counts(): Promise<Record<string, number>> {
    return this.call(async () => {
      const states = ['wait', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
      const queues = this.shards.flatMap((s) => [s.queue, s.syncQueue]);
      const all = await Promise.all(queues.map((q) => q.getJobCounts(...states)));
      const sum: Record<string, number> = {};
      for (const st of states) sum[st] = all.reduce((n, c) => n + (c[st] ?? 0), 0);
      return sum;
    });
  }

  /**
   * A job's snapshot, or null when the id is unknown (never existed or retention removed it). The id of a grouped
   * prediction resolves to its item of the batch job: the batch's state, the item's own result or error. One script
   * of our own reads the job hash and whether the job is in the active list, atomically, instead of BullMQ's
   * `getJob` then its state script: finishedOn and the outcome are written by one Lua script, so the hash alone
   * tells a finished job, and the active list tells a running one from a queued one at the same instant.
   */
  async get(id: string): Promise<JobSnapshot | null> {
    const item = parseBatchItemId(id);
    const queue = this.queueOf(id);
    const jobId = item ? item.batchId : id;
    return this.call(async () => {
      const [list, pos] = await this.redis.mserveJobRead(queue.toKey(jobId), queue.toKey('active'), jobId);
      return snapshotFromHash(id, hashFromList(list), pos !== null, item?.index);
    });
  }

  /** Which of `ids` are finished or gone; one pipelined round trip, used by long-poll re-checks. */
  async finishedAmong(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.call(async () => {
      // One pipeline per queue: on a cluster a pipeline must stay within one slot.
      const byQueue = new Map<Queue, string[]>();
      for (const id of ids) byQueue.set(this.queueOf(id), [...(byQueue.get(this.queueOf(id)) ?? []), id]);
      const done = await Promise.all(
        [...byQueue].map(async ([queue, group]) => {
          const pipe = this.redis.pipeline();
          for (const id of group) pipe.hmget(queue.toKey(id), 'finishedOn', 'timestamp');
          const res = (await pipe.exec()) ?? [];
          return group.filter((_, i) => {
            const [err, vals] = res[i] ?? [];
            if (err) return false;
            const [finishedOn, timestamp] = vals as [string | null, string | null];
            return finishedOn !== null || timestamp === null;
          });
        }),
      );
      return done.flat();
    });
  }

  /** Stops a job of its own (see `mserveStop` in `store-scripts.ts`): one script, atomic against workers. */
  async stop(id: string, code: 'CANCELED' | 'EXPIRED', message: string): Promise<StopResult> {
    return this.stopIn(this.shardOf(id).queue, id, code, message);
  }

  private async stopIn(q: Queue, id: string, code: ErrorCode, message: string): Promise<StopResult> {
    const keys = ['', 'active', 'wait', 'prioritized', 'paused', 'delayed', 'failed', 'events'].map((k) =>
      q.toKey(k === '' ? id : k),
    );
    const reason = encodeFailure(code, message);
    return (await this.call(() => this.redis.mserveStop(...keys, id, Date.now(), reason, 10_000))) as StopResult;
  }

  /**
   * Fails every job still queued on these queues (both queues of every shard) with `code`, as one `failed` event
   * each, so whoever waits on them gets the code at once: for a model version that was unloaded, whose queued jobs
   * no worker will ever take. Jobs a worker already holds finish as they would. Returns how many were failed.
   */
  async failQueued(code: ErrorCode, message: string): Promise<number> {
    let failed = 0;
    for (const q of this.shards.flatMap((s) => [s.queue, s.syncQueue])) {
      const ids = await this.call(() => q.getRanges(['wait', 'prioritized', 'paused', 'delayed'], 0, -1));
      for (const id of ids) if ((await this.stopIn(q, id, code, message)) === 'stopped') failed++;
    }
    return failed;
  }

  /** Queues a webhook delivery for a job the gateway ended itself (idempotent per job and event). */
  async notify(jobId: string, event: WebhookEvent, data: JobSnapshot['data'], payload: unknown): Promise<void> {
    if (data.batch) {
      const key = batchKey(this.config.QUEUE_PREFIX, this.config.QUEUE_NAME, data.batch);
      const done = await this.call(() => recordBatchEnd(this.redis, key, data.batch ?? '', jobId, event));
      if (done) await this.call(() => enqueueBatchWebhook(this.webhookQueue, done, data));
      return;
    }
    if (!data.webhook?.events.includes(event)) return;
    const { url } = data.webhook;
    await this.call(() =>
      enqueueWebhook(this.webhookQueue, {
        jobId,
        event,
        url,
        payload,
        ...(data.requestId ? { requestId: data.requestId } : {}),
        ...(data.tenant ? { tenant: data.tenant } : {}),
      }),
    );
  }

  /** Records a bulk submission's job ids (and the webhook of a batch that has one) under its batch id for `ttlS`. */
  async saveBatch(id: string, jobIds: string[], ttlS: number, webhook?: WebhookSubscription): Promise<void> {
    const key = batchKey(this.config.QUEUE_PREFIX, this.config.QUEUE_NAME, id);
    const tx = this.redis.multi().set(key, JSON.stringify(jobIds), 'EX', ttlS);
    if (webhook) tx.set(batchWebhookKeys(key).webhook, JSON.stringify(webhook), 'EX', ttlS);
    await this.call(() => tx.exec());
  }

  /** A bulk submission's job ids, or null when unknown or expired. */
  async readBatch(id: string): Promise<string[] | null> {
    const key = batchKey(this.config.QUEUE_PREFIX, this.config.QUEUE_NAME, id);
    const text = await this.call(() => this.redis.get(key));
    return text === null ? null : (parseJson(text) as string[] | null);
  }

  /** Model cards published by workers consuming this queue. */
  modelCards(): Promise<ModelCard[]> {
    return this.call(() => this.repository.modelCards());
  }

  /** The state of every model version as the workers reported it (see `versionStatesKey`). */
  versionStates(): Promise<Record<string, VersionStatus>> {
    return this.call(() => this.repository.versionStates());
  }

  /** The labels of every model (see `modelLabelsKey`). */
  modelLabels(): Promise<Record<string, ModelLabels>> {
    return this.call(() => this.repository.modelLabels());
  }

  /** Replaces the labels of model `name` (one HSET: every gateway sees the change at its next poll). */
  async setModelLabels(name: string, labels: ModelLabels): Promise<void> {
    await this.call(() => this.repository.setModelLabels(name, labels));
  }

  /** The delivery state of job `jobId`'s webhook, or null when it has none (or the notifier dropped it). */
  async webhookDelivery(jobId: string): Promise<DeliveryState | null> {
    return this.call(() => getDeliveryState(this.webhookQueue, jobId));
  }

  /** Liveness of Redis for /readyz: a PING within the command timeout. */
  async ping(): Promise<boolean> {
    try {
      return (await this.call(() => this.redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Whether workers may take new jobs, for /readyz: false while the queue is paused or cannot be asked. */
  async accepting(): Promise<boolean> {
    try {
      return !(await this.call(() => this.queue.isPaused()));
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const queues = [...this.shards.flatMap((s) => [s.queue, s.syncQueue]), this.webhookQueue];
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}
