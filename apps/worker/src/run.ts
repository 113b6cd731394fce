import type http from 'node:http';
import type { Logger } from '@mserve/common';
import { modelCardsKey, queueShards, shardOf, syncQueueName } from '@mserve/contracts';
import { DriftRecorder } from '@mserve/drift';
import { bullConnection, createRedis, isCluster, queueNameFor } from '@mserve/redis';
import { tenancyKeys } from '@mserve/tenancy';
import type IORedis from 'ioredis';
import { Worker, type Job } from 'bullmq';
import { MicroBatcher } from './batcher';
import type { WorkerConfig } from './config';
import { startWorkerHttp } from './http';
import { priorityRank, type InferenceEngine, type InferenceItem, type Prediction } from './inference';
import { createWorkerMetrics } from './metrics';
import { createProcessor } from './processor';
import type { WebhookNotifier } from './webhook';

/** A running worker. */
export interface RunningWorker {
  /** Consumer of the main queue (of the first shard). */
  worker: Worker;
  /** Consumer of the queue of batch jobs of synchronous predictions (of the first shard). */
  syncWorker: Worker;
  /** Every consumer: both queues of every shard (`QUEUE_SHARDS`). */
  workers: Worker[];
  httpPort: number;
  /** What /healthz reports of these consumers. */
  health(): { ok: boolean; running: boolean } & Record<string, unknown>;
  /** Graceful stop: no new jobs, finish the in-flight batch, close connections. */
  close(): Promise<void>;
}

/** How often the drift counts collected in memory are added to the shared per-minute buckets in Redis. */
const DRIFT_FLUSH_MS = 1000;

/** Where one set of consumers reads and publishes (a model version of the repository, or QUEUE_NAME itself). */
export interface ConsumerOptions {
  /** Queue to consume (its batch jobs' queue next to it); default QUEUE_NAME. */
  queueName?: string;
  /** Whether to serve /healthz and /metrics (the repository worker serves one for all its versions). */
  http?: boolean;
  /** Extra fields of the model card (the repository version it serves). */
  cardExtra?: Record<string, unknown>;
}

/** How long between refreshes of this worker's model card in Redis. */
const CARD_REFRESH_MS = 30_000;

/**
 * Starts consuming the queue: BullMQ concurrency equals the batch size so that a full batch can be in flight, and
 * every processor call joins the micro-batcher. Returns once the HTTP side listens.
 */
export async function startWorker(
  config: WorkerConfig,
  engine: InferenceEngine,
  logger: Logger,
  notify: WebhookNotifier,
  opts: ConsumerOptions = {},
): Promise<RunningWorker> {
  const queueName = opts.queueName ?? config.QUEUE_NAME;
  const metrics = createWorkerMetrics();
  const batcher = new MicroBatcher<InferenceItem, Prediction>((items) => engine.infer(items), {
    maxSize: config.BATCH_MAX_SIZE,
    maxWaitMs: config.BATCH_MAX_WAIT_MS,
    // A high job runs in a pass of its own instead of sharing (and waiting for) a batch of low jobs.
    rank: priorityRank,
    onBatch: (b) => {
      metrics.batchSize.observe(b.size);
      metrics.inferenceSeconds.observe(b.runMs / 1000);
      metrics.pending.set(batcher.pending);
    },
  });
  // The flag the gateway's cancel sets on a running job's hash (its `mserveStop` script).
  const shards = queueShards(queueName, config.QUEUE_SHARDS);
  const cancelRequested = async (jobId: string): Promise<boolean> => {
    const client = await worker.client;
    const shardQueue = shards[shardOf(jobId, shards.length)] as string;
    return (await client.hexists(`${config.QUEUE_PREFIX}:${shardQueue}:${jobId}`, 'cancelRequestedAt')) === 1;
  };
  // Drift counts are added to Redis once a second (no round trip per job), on a connection that outlives the
  // consumers' so the last counts are written after the in-flight batch at shutdown.
  // Through the connection factory, so they follow a failover; on a cluster the buckets share a hash tag (the
  // gateway's monitor reads them in one pipeline).
  const driftRedis = createRedis(config, 'command', { maxRetriesPerRequest: 1, lazyConnect: true });
  driftRedis.on('error', (err) => logger.debug({ err: err.message }, 'drift redis connection error'));
  const drift = new DriftRecorder(driftRedis, `${config.QUEUE_PREFIX}:${queueNameFor(config, config.QUEUE_NAME)}`);
  const flushDrift = async (): Promise<void> => {
    try {
      await drift.flush();
    } catch (err) {
      logger.warn({ err }, 'could not record drift counts');
    }
  };
  // A batch's record sits beside the queue its jobs came from (one queue per model version in a repository).
  const notifyHere: WebhookNotifier = (notice) => notify({ ...notice, queue: queueName });
  const processor = createProcessor({ engine, batcher, logger, metrics, notify: notifyHere, cancelRequested, drift });

  // Two consumers of one batcher: the main queue (async jobs, sync jobs with a webhook) and the queue of batch jobs
  // of synchronous predictions (its own queue for its own retention; see `syncQueueName`).
  // Reconnects quickly once Redis is back or failed over (the factory's back-off, not BullMQ's of up to 20 s). On a
  // cluster one instance serves every consumer's commands; BullMQ duplicates it for each blocking read.
  const connection = bullConnection(config, 'blocking');
  const consume = (queueName: string): Worker => {
    const w = new Worker(queueName, processor, {
      prefix: config.QUEUE_PREFIX,
      connection,
      concurrency: config.BATCH_MAX_SIZE,
      lockDuration: config.LOCK_DURATION_MS,
      stalledInterval: config.STALLED_INTERVAL_MS,
      maxStalledCount: config.MAX_STALLED_COUNT,
      autorun: false,
    });
    w.on('error', (err) => {
      redisError = err.message;
      logger.error({ err, queue: queueName }, 'worker error');
    });
    w.on('ready', () => {
      redisError = undefined;
    });
    w.on('stalled', (jobId) => logger.warn({ jobId, queue: queueName }, 'job stalled: put back in the queue'));
    return w;
  };
  let redisError: string | undefined;
  const workers = shards.flatMap((name) => [consume(name), consume(syncQueueName(name))]);
  const [worker, syncWorker] = workers as [Worker, Worker];
  // A job of a tenant's ended: it no longer counts against the tenant's quota or fair-share rank (the gateway
  // counted it when it enqueued it). A missed removal is pruned by age at the next admission.
  const names = tenancyKeys(config.QUEUE_PREFIX, { cluster: isCluster(config) });
  const uncount = (job: Job | undefined) => {
    const tenant = (job?.data as { tenant?: unknown } | undefined)?.tenant;
    if (!job?.id || typeof tenant !== 'string') return;
    const id = job.id;
    void worker.client
      .then((c) => (c as unknown as IORedis).zrem(names.openJobs(queueName, tenant), id))
      .catch((err: unknown) => logger.debug({ err, jobId: id }, 'could not uncount a tenant job'));
  };
  for (const w of workers) {
    w.on('completed', (job) => uncount(job));
    w.on('failed', (job) => uncount(job));
  }

  const publishCard = async (): Promise<void> => {
    try {
      const client = await worker.client;
      const card = { ...engine.card, ...opts.cardExtra, updatedAt: Date.now() };
      await client.hset(modelCardsKey(config.QUEUE_NAME, config.QUEUE_PREFIX), { [card.digest]: JSON.stringify(card) });
    } catch (err) {
      logger.warn({ err }, 'could not publish the model card');
    }
  };
  const cardTimer = setInterval(() => void publishCard(), CARD_REFRESH_MS);
  cardTimer.unref();
  const driftTimer = setInterval(() => void flushDrift(), DRIFT_FLUSH_MS);
  driftTimer.unref();

  const health = () => ({
    ok: workers.every((w) => !w.closing),
    running: workers.every((w) => w.isRunning()),
    queue: queueName,
    model: { name: engine.card.name, digest: engine.card.digest },
    batcher: { pending: batcher.pending, busy: batcher.busy },
    ...(redisError ? { redisError } : {}),
  });
  const { server, port } =
    opts.http === false
      ? { server: undefined, port: 0 }
      : await startWorkerHttp(config.WORKER_HTTP_PORT, config.HOST, metrics.registry, health);

  for (const w of workers) void w.run().catch((err) => logger.error({ err }, 'worker loop ended'));
  await publishCard();
  logger.info(
    {
      queues: shards.flatMap((name) => [name, syncQueueName(name)]),
      httpPort: port,
      batchMaxSize: config.BATCH_MAX_SIZE,
      model: engine.card.name,
    },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(cardTimer);
      // close() stops fetching and waits for the active jobs, which all sit in the batcher: run them now.
      const closed = Promise.all(workers.map((w) => w.close()));
      batcher.flushNow();
      await closed;
      await batcher.whenIdle();
      clearInterval(driftTimer);
      await flushDrift();
      driftRedis.disconnect();
      if ('disconnect' in connection) connection.disconnect();
      if (server) await closeServer(server);
    })();
    return closing;
  };
  return { worker, syncWorker, workers, httpPort: port, health, close };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
