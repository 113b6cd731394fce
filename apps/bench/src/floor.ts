/**
 * The floor of one request at one connection: what each part the service's shape cannot skip costs when measured
 * alone, in the same run as the rest of the bench. HTTP (the echo's time per request), the queue hop (a BullMQ
 * job with a no-op processor in another process, added and awaited through QueueEvents, one at a time), the
 * preprocessing of the bench's upload, and one inference with the uncertainty assessment (default T and alpha).
 * Their sum is the latency below which no tuning of the service can go with this shape on this machine.
 */
import path from 'node:path';
import { assetPath, repoRoot } from '@mserve/common';
import { loadCalibration } from '@mserve/calibration';
import { DEFAULT_ALPHA } from '@mserve/contracts';
import { loadSavedModel } from '@mserve/model-runtime';
import { preprocess } from '@mserve/preprocess';
import { UncertaintyEngine } from '@mserve/uncertainty';
import { Queue, QueueEvents } from 'bullmq';
import { firstJsonLine, spawnRedis, spawnTs, stopProc } from './processes';
import { freePort } from '@mserve/common';

/** Median and 90th percentile of one part, in ms. */
export interface PartTiming {
  p50: number;
  p90: number;
  n: number;
}

/** The parts of one request and their sum (ms, medians). */
export interface FloorReport {
  /** Time per request of the bare echo at one connection (1000 / its req/s). */
  httpMs: number;
  hop: PartTiming;
  preprocess: PartTiming;
  inference: PartTiming;
  sumMs: number;
}

/** Median and p90 of `n` timed calls after `warm` untimed ones, one at a time. */
export async function timeIt(fn: () => Promise<unknown>, n: number, warm: number): Promise<PartTiming> {
  for (let i = 0; i < warm; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] as number;
  return { p50: at(0.5), p90: at(0.9), n };
}

async function measureHop(logDir: string, n: number): Promise<PartTiming> {
  const port = await freePort();
  const redis = spawnRedis(port);
  const env = { REDIS_URL: `redis://127.0.0.1:${port}`, QUEUE_NAME: 'floor' };
  await new Promise((r) => setTimeout(r, 300));
  const worker = spawnTs('floor-worker', 'apps/bench/src/floor-worker.ts', env, logDir);
  const connection = { host: '127.0.0.1', port };
  const queue = new Queue('floor', { connection });
  const events = new QueueEvents('floor', { connection });
  try {
    await firstJsonLine(worker, 60000);
    await events.waitUntilReady();
    let i = 0;
    return await timeIt(
      async () => {
        const job = await queue.add('j', { i: i++ }, { removeOnComplete: { count: 1000 } });
        await job.waitUntilFinished(events);
      },
      n,
      Math.ceil(n / 5),
    );
  } finally {
    await events.close();
    await queue.close();
    await stopProc(worker);
    await stopProc(redis);
  }
}

/** Measures every part; `echoRpsAtOne` is the echo's req/s at one connection from the same run. */
export async function measureFloor(opts: {
  image: Buffer;
  echoRpsAtOne: number;
  logDir: string;
  samples: number;
  n?: number;
}): Promise<FloorReport> {
  const n = opts.n ?? 1000;
  const model = await loadSavedModel(assetPath('models/mnist_model'));
  const meta = model.metadata;
  try {
    const artifact = loadCalibration(path.resolve(repoRoot(), 'calibration'), { digest: meta.digest, name: meta.name });
    const unc = UncertaintyEngine.create(artifact, model);
    const pre = await preprocess(opts.image, { inputShape: meta.inputShape });
    const prep = await timeIt(() => preprocess(opts.image, { inputShape: meta.inputShape }), n, n / 5);
    const params = { samples: opts.samples, alpha: DEFAULT_ALPHA };
    const inference = await timeIt(
      async () => unc.assess(await model.predict(pre.tensor, 1), pre.tensor, [pre.facts], params),
      n,
      n / 5,
    );
    const hop = await measureHop(opts.logDir, n);
    const httpMs = 1000 / opts.echoRpsAtOne;
    return { httpMs, hop, preprocess: prep, inference, sumMs: httpMs + hop.p50 + prep.p50 + inference.p50 };
  } finally {
    model.dispose();
  }
}
