import type { PipelineMetrics } from './pipeline/ports';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics on their own registry (several apps can live in one test process). */
export function createGatewayMetrics(queueCounts: () => Promise<Record<string, number>>, waiters: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    enqueueFailures: new Counter({
      name: 'gateway_enqueue_failures_total',
      help: 'submissions not enqueued, by error code (QUEUE_FULL, REDIS_UNAVAILABLE, ...)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    submitted: new Counter({ name: 'gateway_jobs_submitted_total', help: 'jobs enqueued', registers: [registry] }),
    predictBatchSize: new Histogram({
      name: 'gateway_predict_batch_size',
      help: 'synchronous predictions grouped into one batch job',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    preprocessSeconds: new Histogram({
      name: 'gateway_preprocess_seconds',
      help: 'image decoding and preprocessing time',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'queue_jobs',
      help: 'jobs in the inference queue by state (read from Redis at scrape time)',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        try {
          const counts = await queueCounts();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch {
          // Redis away: keep the last values; gateway_enqueue_failures_total shows the outage.
        }
      },
    }),
    longPolls: new Gauge({
      name: 'gateway_long_polls',
      help: 'requests currently waiting for a job to end',
      registers: [registry],
      collect() {
        this.set(waiters());
      },
    }),
  };
}

/** The metric handles of one gateway. */
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

/** The pipeline's reports (see `PipelineMetrics`) onto the gateway's Prometheus metrics. */
export function pipelineMetrics(m: GatewayMetrics): PipelineMetrics {
  return {
    preprocessed: (ms) => m.preprocessSeconds.observe(ms / 1000),
    submitted: () => m.submitted.inc(),
    enqueueFailed: (code) => m.enqueueFailures.inc({ code }),
    batched: (size) => m.predictBatchSize.observe(size),
  };
}
