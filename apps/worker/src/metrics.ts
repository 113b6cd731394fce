import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus metrics, on their own registry so tests can create several workers in one process. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    batchSize: new Histogram({
      name: 'worker_batch_size',
      help: 'jobs per batched model pass',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    inferenceSeconds: new Histogram({
      name: 'worker_inference_seconds',
      help: 'duration of one batched model pass with uncertainty',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    queuedSeconds: new Histogram({
      name: 'worker_job_queued_seconds',
      help: 'time from acceptance by the gateway to the start of the job’s batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'worker_jobs_total',
      help: 'jobs finished by this worker',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    pending: new Gauge({ name: 'worker_batcher_pending', help: 'jobs waiting for a batch', registers: [registry] }),
  };
}

/** The metric handles of one worker. */
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
