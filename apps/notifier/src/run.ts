import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { createLogger } from '@mserve/common';
import { createRedis, isCluster, queueNameFor } from '@mserve/redis';
import { parseAllowList, type DeliveryJobData } from '@mserve/webhooks';
import type { NotifierConfig } from './config';
import { createHttpServer } from './http';
import { createMetrics } from './metrics';
import { backoffStrategy, createProcessor } from './processor';
import { WebhookSecretStore, tenancyKeys } from '@mserve/tenancy';

/** A running notifier. */
export interface Notifier {
  port: number;
  /** Stops taking deliveries, waits for in-flight ones (up to SHUTDOWN_TIMEOUT_MS) and closes everything. */
  close(): Promise<void>;
}

/**
 * How long a tenant's webhook secrets are reused without reading Redis again: a rotation signs with the new
 * secret within this (the old one stays valid during the rotation, so nothing fails in between).
 */
const TENANT_SECRET_CACHE_MS = 1000;

/** `load` behind a per-argument cache of `ms`. */
function cachedFor<T>(ms: number, load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, { value: T; until: number }>();
  return async (key) => {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await load(key);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { value, until: Date.now() + ms });
    return value;
  };
}

/** Starts the delivery worker and the operational HTTP server. */
export async function startNotifier(config: NotifierConfig): Promise<Notifier> {
  const log = createLogger('notifier');
  const allow = parseAllowList(config.WEBHOOK_ALLOW_HOSTS);
  // BullMQ workers need blocking commands that never give up (maxRetriesPerRequest: null).
  const connection = createRedis(config, 'blocking');
  // On a cluster the gateway and the workers hash-tag the delivery queue's name the same way.
  const queueName = queueNameFor(config, config.WEBHOOK_QUEUE_NAME);
  const queue = new Queue<DeliveryJobData>(queueName, { connection, prefix: config.QUEUE_PREFIX });
  const metrics = createMetrics(queue);
  const schedule = config.WEBHOOK_RETRY_SCHEDULE;
  const tenantSecrets = new WebhookSecretStore(
    connection,
    tenancyKeys(config.QUEUE_PREFIX, { cluster: isCluster(config) }),
  );
  const processor = createProcessor({
    secrets: config.WEBHOOK_SECRETS,
    tenantSecrets: cachedFor(TENANT_SECRET_CACHE_MS, (tenant) => tenantSecrets.get(tenant)),
    allow,
    schedule,
    jitter: config.WEBHOOK_RETRY_JITTER,
    retryAfterMaxMs: config.WEBHOOK_RETRY_AFTER_MAX_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: config.WEBHOOK_RESPONSE_MAX_BYTES,
    log,
    metrics,
  });
  const worker = new Worker<DeliveryJobData>(queueName, processor, {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.NOTIFIER_CONCURRENCY,
    lockDuration: config.LOCK_DURATION_MS,
    stalledInterval: config.STALLED_INTERVAL_MS,
    maxStalledCount: config.MAX_STALLED_COUNT,
    settings: { backoffStrategy: backoffStrategy({ schedule, jitter: config.WEBHOOK_RETRY_JITTER }) },
  });
  worker.on('error', (err) => log.error({ err }, 'webhook worker error'));
  await worker.waitUntilReady();

  const server = createHttpServer({
    queue,
    metrics,
    isRunning: () => worker.isRunning(),
    ping: () => connection.ping(),
    log,
    adminToken: config.NOTIFIER_ADMIN_TOKEN,
  });
  await new Promise<void>((resolve) => server.listen(config.NOTIFIER_HTTP_PORT, config.HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  log.info(
    {
      port,
      queue: queueName,
      secrets: config.WEBHOOK_SECRETS.length,
      attempts: schedule.length + 1,
      allow: config.WEBHOOK_ALLOW_HOSTS,
      deadLetterEndpoints: config.NOTIFIER_ADMIN_TOKEN !== '',
    },
    'notifier ready',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      log.info('notifier stopping: waiting for in-flight deliveries');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), config.SHUTDOWN_TIMEOUT_MS).unref());
      // A delivery still running at the deadline keeps its lock until it expires; another notifier retries it.
      const res = await Promise.race([worker.close().then(() => 'closed' as const), timeout]);
      if (res === 'timeout') log.warn('shutdown deadline reached with deliveries in flight');
      server.close();
      await queue.close().catch(() => undefined);
      connection.disconnect();
      log.info('notifier stopped');
    })());
  return { port, close };
}
