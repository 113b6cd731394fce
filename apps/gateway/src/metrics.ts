import type { Monitoring, MonitoringWindow } from '@mserve/contracts';
import type { PipelineMetrics } from './pipeline/ports';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics on their own registry (several apps can live in one test process). */
export function createGatewayMetrics(
  queueCounts: () => Promise<Record<string, number>>,
  waiters: () => number,
  monitoring?: () => Promise<Monitoring>,
) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (monitoring) driftGauges(registry, monitoring);
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

/** Drift gauges by window (`5m`, `1h`), read from the shared Redis buckets once per scrape. */
function driftGauges(registry: Registry, monitoring: () => Promise<Monitoring>): void {
  let read: { at: number; value: Promise<Monitoring | undefined> } | undefined;
  // One Redis read serves every gauge of a scrape (each gauge collects on its own).
  const snapshot = () => {
    if (!read || Date.now() - read.at > 500) {
      read = { at: Date.now(), value: monitoring().catch(() => undefined) };
    }
    return read.value;
  };
  const gauge = (name: string, help: string, value: (w: MonitoringWindow) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['window'] as const,
      registers: [registry],
      async collect() {
        const m = await snapshot();
        if (!m) return; // Redis away: keep the last values
        for (const [window, w] of Object.entries(m.windows)) {
          const v = value(w);
          if (v === null) this.remove({ window });
          else this.set({ window }, v);
        }
      },
    });
  gauge('drift_requests', 'completed predictions in the drift window', (w) => w.requests);
  gauge('drift_ood_rate', 'share of predictions flagged out of distribution in the window', (w) => w.oodRate);
  gauge('drift_estimated_accuracy', 'mean reliability: the label-free accuracy estimate of the window', (w) =>
    w.requests > 0 ? w.estimatedAccuracy : null,
  );
  gauge(
    'drift_realised_accuracy',
    'accuracy of the predictions given feedback labels in the window',
    (w) => w.feedback.realisedAccuracy,
  );
  gauge('drift_feedback_labels', 'feedback labels received in the window', (w) => w.feedback.labels);
  gauge(
    'drift_class_psi',
    'population stability index of the predicted-class mix against the reference',
    (w) => w.classPsi,
  );
  gauge(
    'drift_score',
    'drift score (largest z-score against the reference); absent without a reference',
    (w) => w.score,
  );
  gauge(
    'drift_input_score',
    'largest z-score of the watched input facts (reported, not alarmed on)',
    (w) => w.inputScore,
  );
  gauge('drift_alarm', '1 when the window alarms under the rule of GET /v1/monitoring', (w) => (w.alarm ? 1 : 0));
}
