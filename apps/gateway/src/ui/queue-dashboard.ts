import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Logger } from '@mserve/common';
import { syncQueueName } from '@mserve/contracts';
import { WEBHOOK_QUEUE } from '@mserve/webhooks';
import { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import IORedis from 'ioredis';
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

/**
 * Bull Board over the inference queue, the queue of grouped synchronous predictions and the notifier's webhook
 * queue (the same prefix as the gateway's). Read-only: anyone who reaches it may look, no one may retry, promote or
 * delete jobs from it while it is guarded by nothing stronger than `deps.adminGuard`. Its own Redis connection (its
 * scans of job lists must not queue behind the producer's commands with their short timeouts).
 */
export function createQueueDashboard(
  config: Pick<GatewayConfig, 'REDIS_URL' | 'QUEUE_NAME' | 'QUEUE_PREFIX'>,
  logger: Logger,
  connectionName = 'mserve-gateway-dashboard',
): QueueDashboard {
  const redis = new IORedis(config.REDIS_URL, {
    connectionName,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  redis.on('error', (err) => logger.debug({ err: err.message }, 'redis dashboard connection error'));
  const queueNames = [config.QUEUE_NAME, syncQueueName(config.QUEUE_NAME), WEBHOOK_QUEUE];
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
  const router = serverAdapter.getRouter() as RequestHandler;
  let closing: Promise<void> | undefined;
  return {
    handler: router,
    queueNames,
    close: () =>
      (closing ??= (async () => {
        await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
        await redis.quit().catch(() => redis.disconnect());
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
