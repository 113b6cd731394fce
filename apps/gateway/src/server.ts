import http from 'node:http';
import path from 'node:path';
import { assetPath, createLogger, repoRoot, resolveAssetsDir, type Logger } from '@mserve/common';
import { describeSavedModel } from '@mserve/model-runtime/describe';
import {
  parseVersionPolicy,
  readRepository,
  singleModelRepository,
  type RepositoryListing,
} from '@mserve/model-runtime/repository';
import { DEFAULT_LIMITS, preprocess, preprocessingFingerprint } from '@mserve/preprocess';
import { modelQueueName, queueShards, syncQueueName } from '@mserve/contracts';
import { bullConnection } from '@mserve/redis';
import { assertDeliverableUrl, parseAllowList } from '@mserve/webhooks';
import { createApp } from './app';
import { AuthStore } from './auth-store';
import { answerClientError } from './client-error';
import type { GatewayConfig } from './config';
import type { GatewayDeps, GatewayModel } from './deps';
import { createGatewayMetrics } from './metrics';
import { MonitoringStore, renderMonitoring } from './monitoring';
import { ModelRegistry } from './models/registry';
import { createModelServing } from './models/serving';
import type { Preprocessor } from './pipeline/ports';
import { JobStore } from './store';
import { createQueueDashboard } from './ui/queue-dashboard';
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

/**
 * Where the gateway's models come from: the repository of MODEL_REPOSITORY (each version on a queue of its own,
 * `modelQueueName`), or MODEL_DIR alone as version 1 on QUEUE_NAME itself (a single-model deployment, as before).
 */
export function repositorySource(
  config: Pick<GatewayConfig, 'MODEL_REPOSITORY' | 'MODEL_DIR' | 'QUEUE_NAME' | 'DEFAULT_MODEL'>,
): { listing: () => RepositoryListing; queueOf: (name: string, version: number) => string } {
  if (!config.MODEL_REPOSITORY) {
    const dir = config.MODEL_DIR || assetPath('models/mnist_model');
    return { listing: () => singleModelRepository(dir), queueOf: () => config.QUEUE_NAME };
  }
  const location = path.resolve(repoRoot(), config.MODEL_REPOSITORY);
  return {
    listing: () => readRepository(location, resolveAssetsDir(), config.DEFAULT_MODEL),
    queueOf: (name, version) => modelQueueName(config.QUEUE_NAME, name, version),
  };
}

/** Wires config, Redis, model info and the app, and listens on `HOST`:`PORT`. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway'),
): Promise<RunningGateway> {
  const auth = config.AUTH_MODE === 'required' ? new AuthStore(config, logger) : undefined;
  if (auth) await auth.bootstrap();
  else {
    logger.warn(
      'AUTH_MODE=off: NO AUTHENTICATION. Anyone who reaches this gateway can submit work and read every job. ' +
        'Set AUTH_MODE=required with API keys for anything but a local try-out (README: Production start).',
    );
  }
  const store = new JobStore(config, logger);
  const source = repositorySource(config);
  const registry = new ModelRegistry(
    {
      listing: source.listing,
      queueOf: source.queueOf,
      states: () => store.versionStates(),
      labels: () => store.modelLabels(),
    },
    parseVersionPolicy(config.MODEL_VERSION_POLICY),
    logger,
  );
  await registry.start(config.MODEL_POLL_MS);
  const defaultRoute = registry.routes().find((r) => r.name === registry.defaultModel);
  const model = defaultRoute
    ? { ...defaultRoute, preprocessingFingerprint: defaultRoute.preprocessingFingerprint }
    : await loadGatewayModel(config.MODEL_DIR);
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
  const monitoring = new MonitoringStore(config, logger);
  const allow = parseAllowList(config.WEBHOOK_ALLOW_HOSTS);
  const limits = { ...DEFAULT_LIMITS, maxBytes: config.MAX_UPLOAD_BYTES };

  const dashboard = config.ADMIN_UI ? createQueueDashboard(config, logger) : undefined;

  const preprocessFor =
    (inputShape: number[]): Preprocessor =>
    async (image) => {
      const out = await preprocess(image, { inputShape, limits });
      return { ...out, facts: { ...out.facts } };
    };
  const metrics = createGatewayMetrics(
    () => store.counts(),
    () => waiters.size,
    async () => renderMonitoring({ name: model.name, digest: model.digest }, await monitoring.windows()),
  );
  const checkWebhookUrl = (url: string) => assertDeliverableUrl(url, { allow });
  const webhookState = async (jobId: string) => {
    const state = await store.webhookDelivery(jobId);
    return state ? { ...state } : null;
  };
  const models = createModelServing({
    config,
    logger,
    metrics,
    registry,
    baseStore: store,
    baseWaiters: waiters,
    preprocessFor,
    checkWebhookUrl,
    webhookState,
  });
  await models.warm();
  const deps: GatewayDeps = {
    config,
    logger,
    store,
    waiters,
    metrics,
    monitoring,
    model,
    preprocess: preprocessFor(model.inputShape),
    models,
    checkWebhookUrl,
    webhookState,
    ...(dashboard ? { queueDashboard: dashboard.handler } : {}),
    auth: auth
      ? { mode: 'required', lookup: auth.lookup, after: auth.rateLimit }
      : { mode: 'off', lookup: async () => null },
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
    await models.close();
    await waiters.close();
    await store.close();
    await dashboard?.close();
    await monitoring.close();
    await auth?.close();
    if ('disconnect' in eventsConnection) eventsConnection.disconnect();
    throw e;
  }
  // Long-polls hold connections for up to MAX_WAIT_S; keep-alive sockets must outlive a poll's answer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  logger.info(
    {
      host: config.HOST,
      port,
      queue: config.QUEUE_NAME,
      model: model.name,
      digest: model.digest,
      auth: config.AUTH_MODE,
    },
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
      await models.close();
      await store.close();
      await dashboard?.close();
      await monitoring.close();
      await auth?.close();
      if ('disconnect' in eventsConnection) eventsConnection.disconnect();
    })());
  return { server, port, deps, close };
}
