import http from 'node:http';
import { assetPath, createLogger, type Logger } from '@mserve/common';
import { describeSavedModel } from '@mserve/model-runtime/describe';
import { DEFAULT_LIMITS, preprocess, preprocessingFingerprint } from '@mserve/preprocess';
import { queueShards, syncQueueName } from '@mserve/contracts';
import { bullConnection } from '@mserve/redis';
import { assertDeliverableUrl, parseAllowList } from '@mserve/webhooks';
import { createApp } from './app';
import { answerClientError } from './client-error';
import type { GatewayConfig } from './config';
import type { GatewayDeps, GatewayModel } from './deps';
import { createGatewayMetrics } from './metrics';
import { JobStore } from './store';
import { CompletionWaiters } from './waiters';

/** A listening gateway. */
export interface RunningGateway {
  server: http.Server;
  port: number;
  deps: GatewayDeps;
  /** Stops accepting, answers in-flight requests, closes Redis connections. */
  close(): Promise<void>;
}

/**
 * Reads the model's name, digest and input shape from its metadata: the gateway preprocesses for the model but never
 * runs it, so it builds no network.
 */
export async function loadGatewayModel(modelDir: string): Promise<GatewayModel> {
  const dir = modelDir || assetPath('models/mnist_model');
  const { name, digest, inputShape } = await describeSavedModel(dir);
  return { name, dir, digest, inputShape, preprocessingFingerprint: await preprocessingFingerprint(inputShape) };
}

/** Wires config, Redis, model info and the app, and listens on `HOST`:`PORT`. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway'),
): Promise<RunningGateway> {
  const model = await loadGatewayModel(config.MODEL_DIR);
  const store = new JobStore(config, logger);
  const eventsConnection = bullConnection(config, 'blocking');
  const waiters = new CompletionWaiters(
    {
      connection: eventsConnection,
      prefix: config.QUEUE_PREFIX,
      queueNames: queueShards(config.QUEUE_NAME, config.QUEUE_SHARDS).flatMap((q) => [q, syncQueueName(q)]),
      recheckMs: config.WAIT_RECHECK_MS,
    },
    (ids) => store.finishedAmong(ids),
    logger,
  );
  const allow = parseAllowList(config.WEBHOOK_ALLOW_HOSTS);
  const limits = { ...DEFAULT_LIMITS, maxBytes: config.MAX_UPLOAD_BYTES };

  const deps: GatewayDeps = {
    config,
    logger,
    store,
    waiters,
    metrics: createGatewayMetrics(
      () => store.counts(),
      () => waiters.size,
    ),
    model,
    preprocess: async (image) => {
      const out = await preprocess(image, { inputShape: model.inputShape, limits });
      return { ...out, facts: { ...out.facts } };
    },
    checkWebhookUrl: (url) => assertDeliverableUrl(url, { allow }),
    webhookState: async (jobId) => {
      const state = await store.webhookDelivery(jobId);
      return state ? { ...state } : null;
    },
  };
  const server = http.createServer(createApp(deps));
  // Requests Node's parser refuses (headers over its limit, malformed heads) get the JSON error body too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket, logger));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    // Nothing may keep the process alive after a failed start (the caller reports the error and exits).
    await waiters.close();
    await store.close();
    if ('disconnect' in eventsConnection) eventsConnection.disconnect();
    throw e;
  }
  // Long-polls hold connections for up to MAX_WAIT_S; keep-alive sockets must outlive a poll's answer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  logger.info(
    { host: config.HOST, port, queue: config.QUEUE_NAME, model: model.name, digest: model.digest },
    'gateway listening',
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await waiters.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      server.closeAllConnections();
      await store.close();
      if ('disconnect' in eventsConnection) eventsConnection.disconnect();
    })());
  return { server, port, deps, close };
}
