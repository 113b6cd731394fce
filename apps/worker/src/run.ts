import type http from 'node:http';
import type { Logger } from '@mserve/common';
import { modelCardsKey, queueShards, shardOf, syncQueueName } from '@mserve/contracts';
import { bullConnection } from '@mserve/redis';
import { Worker } from 'bullmq';
import { MicroBatcher } from './batcher';
import type { WorkerConfig } from './config';
import { startWorkerHttp } from './http';
import type { InferenceEngine, InferenceItem, Prediction } from './inference';
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
  /** Graceful stop: no new jobs, finish the in-flight batch, close connections. */
  close(): Promise<void>;
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
): Promise<RunningWorker> {
  const metrics = createWorkerMetrics();
  const batcher = new MicroBatcher<InferenceItem, Prediction>((items) => engine.infer(items), {
    maxSize: config.BATCH_MAX_SIZE,
    maxWaitMs: config.BATCH_MAX_WAIT_MS,
    onBatch: (b) => {
      metrics.batchSize.observe(b.size);
      metrics.inferenceSeconds.observe(b.runMs / 1000);
      metrics.pending.set(batcher.pending);
    },
  });
  // The flag the gateway's cancel sets on a running job's hash (its `mserveStop` script).
  const shards = queueShards(config.QUEUE_NAME, config.QUEUE_SHARDS);
  const cancelRequested = async (jobId: string): Promise<boolean> => {
    const client = await worker.client;
    const queueName = shards[shardOf(jobId, shards.length)] as string;
    return (await client.hexists(`${config.QUEUE_PREFIX}:${queueName}:${jobId}`, 'cancelRequestedAt')) === 1;
  };
  const processor = createProcessor({ engine, batcher, logger, metrics, notify, cancelRequested });

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

  const publishCard = async (): Promise<void> => {
    try {
      const client = await worker.client;
      const card = { ...engine.card, updatedAt: Date.now() };
      await client.hset(modelCardsKey(config.QUEUE_NAME, config.QUEUE_PREFIX), { [card.digest]: JSON.stringify(card) });
    } catch (err) {
      logger.warn({ err }, 'could not publish the model card');
    }
  };
  const cardTimer = setInterval(() => void publishCard(), CARD_REFRESH_MS);
  cardTimer.unref();

  const { server, port } = await startWorkerHttp(config.WORKER_HTTP_PORT, config.HOST, metrics.registry, () => ({
    ok: workers.every((w) => !w.closing),
    running: workers.every((w) => w.isRunning()),
    queue: config.QUEUE_NAME,
    model: { name: engine.card.name, digest: engine.card.digest },
    batcher: { pending: batcher.pending, busy: batcher.busy },
    ...(redisError ? { redisError } : {}),
  }));

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
      if ('disconnect' in connection) connection.disconnect();
      await closeServer(server);
    })();
    return closing;
  };
  return { worker, syncWorker, workers, httpPort: port, close };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
