import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';

/** Prometheus metrics of the notifier. */
export interface NotifierMetrics {
  registry: Registry;
  attempts: Counter<'outcome'>;
  deliveries: Counter<'result'>;
  attemptSeconds: Histogram<string>;
}

/** Creates the notifier's registry; queue depth gauges are read from Redis at scrape time. */
export function createMetrics(queue: Queue): NotifierMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const attempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'HTTP delivery attempts by outcome (success, failed = will retry or exhausted, dead = 410 or refused)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Deliveries that reached a final state: delivered or dead (dead-lettered)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const attemptSeconds = new Histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'Time from connect to response status of attempts that got a response',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'webhook_queue_jobs',
    help: 'Deliveries in the webhook queue by state (failed = dead letters kept)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return { registry, attempts, deliveries, attemptSeconds };
}
