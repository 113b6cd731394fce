import { AppError, type Logger } from '@mserve/common';
import { queueShards, syncQueueName } from '@mserve/contracts';
import { createRedis, queueNameFor, type RedisClient, type RedisEndpoint } from '@mserve/redis';
import { WEBHOOK_QUEUE } from '@mserve/webhooks';
import { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import type { GatewayConfig } from '../config';

/** Where the dashboard is mounted. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** A mounted-ready Bull Board and the Redis connection it owns. */
export interface QueueDashboard {
  /** The Express handler serving the dashboard under {@link QUEUE_DASHBOARD_PATH}. */
  handler: RequestHandler;
  /** The queues shown, by name. */
  queueNames: string[];
  /** Closes the dashboard's queues and its Redis connection. */
  close(): Promise<void>;
}

/** The board once built: its router and what it holds open. */
interface BuiltBoard {
  router: RequestHandler;
  queues: Queue[];
  redis: RedisClient;
}

/**
 * Bull Board over the inference queue, the queue of grouped synchronous predictions and the notifier's webhook
 * queue (the same prefix as the gateway's). Read-only: anyone who reaches it may look, no one may retry, promote or
 * delete jobs from it while it is guarded by nothing stronger than `deps.adminGuard`. Built on its first request
 * (Bull Board's modules and its Redis connection cost the gateway's start nothing until someone looks), with a
 * Redis connection of its own: its scans of job lists must not queue behind the producer's commands.
 */
export function createQueueDashboard(
  config: Pick<GatewayConfig, keyof RedisEndpoint | 'QUEUE_NAME' | 'QUEUE_SHARDS' | 'QUEUE_PREFIX'>,
  logger: Logger,
  connectionName = 'mserve-gateway-dashboard',
): QueueDashboard {
  const queueNames = [
    ...queueShards(config.QUEUE_NAME, config.QUEUE_SHARDS).flatMap((q) => [q, syncQueueName(q)]),
    queueNameFor(config, WEBHOOK_QUEUE),
  ];
  let built: Promise<BuiltBoard> | undefined;
  let closing: Promise<void> | undefined;

  async function build(): Promise<BuiltBoard> {
    const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
      import('@bull-board/api'),
      import('@bull-board/api/bullMQAdapter'),
      import('@bull-board/express'),
    ]);
    const redis = createRedis(config, 'command', { connectionName, maxRetriesPerRequest: 1 });
    redis.on('error', (err) => logger.debug({ err: err.message }, 'redis dashboard connection error'));
    const queues = queueNames.map((name) => {
      const q = new Queue(name, { connection: redis, prefix: config.QUEUE_PREFIX });
      q.on('error', (err) => logger.debug({ err: err.message, queue: name }, 'dashboard queue error'));
      return q;
    });
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'mnist-serving queues' } },
    });
    return { router: serverAdapter.getRouter() as RequestHandler, queues, redis };
  }

  return {
    queueNames,
    handler: (req, res, next) => {
      if (closing) return next(new AppError('NOT_READY', 'the gateway is shutting down'));
      (built ??= build()).then((b) => b.router(req, res, next), next);
    },
    close: () =>
      (closing ??= (async () => {
        const b = await built?.catch(() => undefined);
        if (!b) return;
        await Promise.all(b.queues.map((q) => q.close().catch(() => undefined)));
        await b.redis.quit().catch(() => b.redis.disconnect());
      })()),
  };
}

/** Lets every request through: the admin guard until API keys with an admin scope exist. */
const allowAll: RequestHandler = (_req, _res, next) => next();

/**
 * The admin pages' router: the dashboard under {@link QUEUE_DASHBOARD_PATH} behind `guard` (which runs first and may
 * refuse), with the HTML pages' security headers; an empty router when the dashboard is off (`ADMIN_UI=false`).
 */
export function adminRouter(
  dashboard: RequestHandler | undefined,
  guard: RequestHandler = allowAll,
  headers?: RequestHandler,
): Router {
  const router = Router();
  if (dashboard) router.use(QUEUE_DASHBOARD_PATH, ...(headers ? [headers] : []), guard, dashboard);
  return router;
}
