import { parseBatchItemId, syncQueueName } from '@mserve/contracts';
import { postImage, request, sampleImages, startGateway, startWorker, writeReport, type Proc } from '@mserve/testkit';
import { closeHttp } from '@mserve/testkit';

const JOBS = 1000;

/** Where the serving suite's load test runs: the Redis and queue settings of the processes, and hooks around it. */
export interface LoadSuiteOptions {
  /** Environment of the gateway and the worker (REDIS_URL or REDIS_CLUSTER_NODES, QUEUE_NAME, QUEUE_SHARDS...). */
  env: () => Record<string, string>;
  /** Redis memory of a finished job's hash, for the report; undefined where it cannot be read by key. */
  memoryUsage?: (queueName: string, jobId: string) => Promise<number>;
  /** Runs after the jobs completed (e.g. checks of where they went); given the async jobs' ids. */
  afterJobs?: (ids: string[]) => Promise<void>;
  /** Suffix of the report names (`serving-load<suffix>.json`). */
  reportSuffix?: string;
  cleanup?: () => Promise<void>;
  /** How long the gateway and worker may take to start (default the harness's). */
  startMs?: number;
  /** Registers further tests against the same gateway (its base URL once started), after the load tests. */
  more?: (gatewayBase: () => string) => void;
}

/**
 * The serving suite's load test: 1,000 concurrent jobs over HTTP, then 300 concurrent synchronous predictions.
 * `load.test.ts` runs it on the machine's Redis; `ha/cluster.test.ts` on a Redis Cluster with sharded queues.
 */
export function describeLoadSuite(opts: LoadSuiteOptions): void {
  let gateway: Proc;
  let worker: Proc;
  let base = '';
  let workerPort = 0;
  let queue = '';
  const suffix = opts.reportSuffix ?? '';

  beforeAll(
    async () => {
      const env = opts.env();
      queue = env['QUEUE_NAME'] ?? '';
      const [g, w] = await Promise.all([
        startGateway(env, true, opts.startMs),
        startWorker({ ...env, BATCH_MAX_SIZE: '32' }, undefined, opts.startMs),
      ]);
      gateway = g.proc;
      base = g.base;
      worker = w.proc;
      workerPort = w.port;
    },
    (opts.startMs ?? 60_000) + 30_000,
  );

  afterAll(async () => {
    closeHttp();
    await Promise.all([gateway?.stop(), worker?.stop()]);
    await opts.cleanup?.();
  });

  /** The parts of a result that must not depend on batching: everything but the timings and ids. */
  const deterministic = (body: { model: unknown; result: unknown }) => ({ model: body.model, result: body.result });

  describe('1,000 concurrent jobs over HTTP', () => {
    it('all complete, share batches, and equal the single-request result of their image', async () => {
      // The 1-megapixel scan alone costs ~160 ms of gateway preprocessing; the rest cover digits, colour and photos.
      const images = sampleImages().filter((i) => !i.name.startsWith('grayscale_999'));
      // Reference: each image alone (sequential /v1/predict, so each ran in a batch of its own).
      const single = new Map<string, unknown>();
      for (const img of images) {
        const r = await postImage(base, '/v1/predict', img.bytes);
        expect(r.status).toBe(200);
        expect(r.body.timings.batchSize).toBe(1);
        single.set(img.name, deterministic(r.body));
      }

      const t0 = Date.now();
      const submitted = await Promise.all(
        Array.from({ length: JOBS }, async (_, i) => {
          const img = images[i % images.length]!;
          const r = await postImage(base, '/v1/jobs', img.bytes);
          return { name: img.name, status: r.status, id: r.body?.id as string };
        }),
      );
      const submitMs = Date.now() - t0;
      expect(submitted.filter((s) => s.status !== 202)).toEqual([]);

      const results = await Promise.all(
        submitted.map(async (s) => ({ ...s, res: await request(`${base}/v1/jobs/${s.id}?wait=30`) })),
      );
      const totalMs = Date.now() - t0;
      const notDone = results.filter((r) => r.res.body.status !== 'completed');
      expect(notDone.map((r) => r.res.body)).toEqual([]);

      const mismatched = results.filter(
        (r) => JSON.stringify(deterministic(r.res.body)) !== JSON.stringify(single.get(r.name)),
      );
      expect(mismatched.length).toBe(0);

      const sizes = results.map((r) => r.res.body.timings.batchSize as number);
      const meanBatch = sizes.reduce((a, b) => a + b, 0) / sizes.length;
      const metrics = await request(`http://127.0.0.1:${workerPort}/metrics`);
      const sum = Number(/worker_batch_size_sum (\S+)/.exec(metrics.text)?.[1]);
      const count = Number(/worker_batch_size_count (\S+)/.exec(metrics.text)?.[1]);
      const totals = results.map((r) => r.res.body.timings.totalMs as number).sort((a, b) => a - b);
      const pct = (p: number) => totals[Math.min(totals.length - 1, Math.floor(p * totals.length))];
      // Redis memory of finished jobs, for sizing RESULT_MAX_COUNT (payload with the input tensor, result, indexes).
      const sampleIds = results.slice(0, 20).map((r) => r.id);
      const memory = opts.memoryUsage;
      const bytes = memory ? await Promise.all(sampleIds.map((id) => memory(queue, id))) : [];
      const redisBytesPerJob = bytes.length ? Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length) : null;
      await opts.afterJobs?.(results.map((r) => r.id));
      writeReport(`load${suffix}`, {
        redisBytesPerFinishedJob: redisBytesPerJob,
        jobs: JOBS,
        distinctImages: images.length,
        submitMs,
        allCompletedMs: totalMs,
        jobsPerSecond: Math.round((JOBS / totalMs) * 1000 * 10) / 10,
        meanBatchSizePerJob: meanBatch,
        meanBatchSizePerPass: sum / count,
        passes: count,
        maxBatchSize: Math.max(...sizes),
        jobTotalMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: totals[totals.length - 1] },
        mismatchedResults: mismatched.length,
      });
      process.stdout.write(
        `load: ${JOBS} jobs in ${totalMs} ms, mean batch ${meanBatch.toFixed(2)} per job, ${(sum / count).toFixed(2)} per pass\n`,
      );
      expect(meanBatch).toBeGreaterThan(1);
      expect(sum / count).toBeGreaterThan(1);
    }, 120_000);
  });

  describe('concurrent synchronous predictions', () => {
    it('are grouped into batch jobs, each answered with its own result, and each id reads back the same result', async () => {
      const images = sampleImages().filter((i) => !i.name.startsWith('grayscale_999'));
      const single = new Map<string, unknown>();
      for (const img of images) {
        const r = await postImage(base, '/v1/predict', img.bytes);
        expect(r.status).toBe(200);
        single.set(img.name, deterministic(r.body));
      }
      const before = await request(`${base}/metrics`);
      const groupsBefore = Number(/gateway_predict_batch_size_count (\S+)/.exec(before.text)?.[1] ?? 0);
      const N = 300;
      const answers = await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const img = images[i % images.length]!;
          return { name: img.name, res: await postImage(base, '/v1/predict', img.bytes) };
        }),
      );
      expect(answers.filter((a) => a.res.status !== 200).map((a) => a.res.body)).toEqual([]);
      const wrong = answers.filter(
        (a) => JSON.stringify(deterministic(a.res.body)) !== JSON.stringify(single.get(a.name)),
      );
      expect(wrong.length).toBe(0);
      expect(new Set(answers.map((a) => a.res.body.id)).size).toBe(N);
      const after = await request(`${base}/metrics`);
      const groups = Number(/gateway_predict_batch_size_count (\S+)/.exec(after.text)?.[1]) - groupsBefore;
      // Grouping happened: fewer batch jobs than requests.
      expect(groups).toBeLessThan(N);
      for (const a of answers.slice(0, 25)) {
        const again = await request(`${base}/v1/jobs/${a.res.body.id as string}`);
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(a.res.body.id);
        expect(again.body.requestId).toBe(a.res.body.requestId);
        expect(deterministic(again.body)).toEqual(deterministic(a.res.body));
      }
      // Redis memory of finished batch jobs per prediction they hold, for sizing SYNC_RESULT_MAX_COUNT.
      const batches = [...new Set(answers.map((a) => parseBatchItemId(a.res.body.id as string)?.batchId))];
      let bytes = 0;
      for (const b of batches) bytes += opts.memoryUsage ? await opts.memoryUsage(syncQueueName(queue), b!) : 0;
      writeReport(`predict-groups${suffix}`, {
        requests: N,
        batchJobs: groups,
        meanGroup: N / groups,
        redisBytesPerPrediction: Math.round(bytes / N),
      });
    }, 120_000);
  });

  opts.more?.(() => base);
}
