/**
 * Serving several model versions from one gateway: the registry of the repository, and per version a job store on
 * its queue pair, completion waiters on it and a jobs service preprocessing for its input shape, built on first use
 * and kept. The routed jobs service on top is what the HTTP routes use.
 */
import type { Logger } from '@mserve/common';
import { queueShards, syncQueueName } from '@mserve/contracts';
import { bullConnection } from '@mserve/redis';
import type { GatewayConfig } from '../config';
import type { GatewayMetrics } from '../metrics';
import type { JobSnapshot } from '../pipeline/job-snapshot';
import type { Preprocessor, WebhookStateReader, WebhookUrlGuard } from '../pipeline/ports';
import type { Submission } from '../pipeline/submit';
import { createJobsService, type JobsService } from '../pipeline/service';
import { pipelineMetrics } from '../metrics';
import { JobStore } from '../store';
import { CompletionWaiters } from '../waiters';
import type { ModelRegistry, ModelRoute } from './registry';
import { createRoutedJobsService } from './routed-service';
import { createShadowing } from './shadow';
import type { ModelSelector } from './selector';

/** What the HTTP routes use to reach the models. */
export interface ModelServing {
  registry: ModelRegistry;
  /** The jobs service routing by the submission's model fields. */
  jobs: JobsService;
  /** Resolves a selector to a version (404 / 503 AppErrors as `ModelRegistry.resolve`). */
  resolve(sel: ModelSelector): ModelRoute;
  /** The jobs service of one version. */
  serviceFor(route: ModelRoute): JobsService;
  /**
   * Shadow mode for a prediction the caller routed itself (the inference protocols), when it named no version or
   * label: see `shadow.ts`.
   */
  shadow(route: ModelRoute, sub: Submission, requestId: string, answer: Promise<JobSnapshot>): void;
  /** Builds the services of every known version and waits (briefly) for their connections. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** What building the per-version services needs. */
export interface ServingDeps {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  registry: ModelRegistry;
  /** The store on QUEUE_NAME itself (its queue is the single model's in a single-model deployment). */
  baseStore: JobStore;
  baseWaiters: CompletionWaiters;
  preprocessFor(inputShape: number[]): Preprocessor;
  checkWebhookUrl: WebhookUrlGuard;
  webhookState: WebhookStateReader;
}

interface Built {
  store: JobStore;
  waiters: CompletionWaiters;
  service: JobsService;
  own: boolean;
}

/** Builds the serving of the registry's versions; see the module comment. */
export function createModelServing(deps: ServingDeps): ModelServing {
  const { config, registry } = deps;
  const built = new Map<string, Built>();

  const build = (route: ModelRoute): Built => {
    const own = route.queue !== config.QUEUE_NAME;
    const store = own ? new JobStore({ ...config, QUEUE_NAME: route.queue }, deps.logger) : deps.baseStore;
    const waiters = own
      ? new CompletionWaiters(
          {
            connection: bullConnection(config, 'blocking'),
            prefix: config.QUEUE_PREFIX,
            queueNames: queueShards(route.queue, config.QUEUE_SHARDS).flatMap((q) => [q, syncQueueName(q)]),
            recheckMs: config.WAIT_RECHECK_MS,
          },
          (ids) => store.finishedAmong(ids),
          deps.logger,
        )
      : deps.baseWaiters;
    const service = createJobsService({
      config,
      jobs: store,
      waiters,
      preprocess: deps.preprocessFor(route.inputShape),
      checkWebhookUrl: deps.checkWebhookUrl,
      webhookState: deps.webhookState,
      metrics: pipelineMetrics(deps.metrics),
      idempotency: { store: store.idempotency, ttlS: config.IDEMPOTENCY_TTL_S },
      control: store,
      batches: { store, ttlS: config.RESULT_TTL_S },
      admission: store.tenants,
    });
    return { store, waiters, service, own };
  };

  const serviceFor = (route: ModelRoute): JobsService => {
    let b = built.get(route.queue);
    if (!b) built.set(route.queue, (b = build(route)));
    return b.service;
  };
  const resolve = (sel: ModelSelector): ModelRoute =>
    registry.resolve(sel.model, {
      ...(sel.version !== undefined ? { version: sel.version } : {}),
      ...(sel.label !== undefined ? { label: sel.label } : {}),
    });

  /** Every readable version may hold jobs (a job outlives a rollout); the default model's serving version first. */
  const lookupOrder = (): JobsService[] => {
    const routes = registry.routes();
    let first: ModelRoute | undefined;
    try {
      first = resolve({});
    } catch {
      first = undefined;
    }
    const ordered = first ? [first, ...routes.filter((r) => r.queue !== first.queue)] : routes;
    return ordered.map(serviceFor);
  };

  const warm = async (): Promise<void> => {
    const fresh = registry.routes().filter((r) => !built.has(r.queue));
    for (const r of fresh) serviceFor(r);
    await Promise.all(fresh.map((r) => built.get(r.queue)?.store.whenConnected(config.REDIS_TIMEOUT_MS * 5)));
    await failDropped();
  };
  // A version unloaded while jobs wait for it: they would wait for a worker that never comes (until their
  // deadline, or forever for an async job). Fail them now with a code the client can act on; every scan, so jobs
  // that another gateway queued in the meantime go the same way.
  const failDropped = async (): Promise<void> => {
    for (const r of registry.droppedRoutes()) {
      const b = built.get(r.queue);
      if (!b?.own) continue;
      const n = await b.store
        .failQueued('MODEL_UNAVAILABLE', `version ${r.version} of model ${r.name} was unloaded`)
        .catch(() => 0);
      if (n > 0) deps.logger.warn({ model: r.name, version: r.version, jobs: n }, 'failed jobs of an unloaded version');
    }
  };
  // A version found later (a hot rollout) gets its connections after the scan that found it, and the registry
  // routes no request to it before they are up.
  const shadowing = createShadowing({ registry, serviceFor, metrics: deps.metrics.registry, logger: deps.logger });
  registry.shadowStats = shadowing.stats;
  registry.warmCheck = (route) => built.get(route.queue)?.store.hasConnected ?? false;
  registry.onScan = warm;

  return {
    registry,
    warm,
    jobs: createRoutedJobsService({ resolve, serviceFor, lookupOrder, shadow: shadowing.observe }),
    resolve,
    serviceFor,
    shadow: shadowing.observe,
    async close() {
      registry.stop();
      await Promise.all(
        [...built.values()]
          .filter((b) => b.own)
          .map(async (b) => {
            await b.waiters.close();
            await b.store.close();
          }),
      );
    },
  };
}
