import { syncQueueName } from '@mserve/contracts';
import { Queue, QueueEvents } from 'bullmq';
import {
  REDIS_URL,
  closeHttp,
  dropQueue,
  postImage,
  request,
  sampleImages,
  startGateway,
  startWorker,
  uniqueQueue,
  waitUntil,
  writeReport,
  type Proc,
} from '@mserve/testkit';

const queueName = uniqueQueue('crash');
const env = {
  REDIS_URL,
  QUEUE_NAME: queueName,
  // Short lock and stall check so recovery takes seconds, not the production 30 s.
  LOCK_DURATION_MS: '3000',
  STALLED_INTERVAL_MS: '1000',
};
const procs: Proc[] = [];
let base = '';
let queue: Queue;
let events: QueueEvents;
const stalled: string[] = [];
const failed: string[] = [];

beforeAll(async () => {
  // Sync predictions must outlive a worker's death and the recovery (lock expiry, stall check, a new worker).
  const g = await startGateway({ REDIS_URL, QUEUE_NAME: queueName, SYNC_TIMEOUT_MS: '60000' });
  procs.push(g.proc);
  base = g.base;
  queue = new Queue(queueName, { connection: { url: REDIS_URL } });
  events = new QueueEvents(queueName, { connection: { url: REDIS_URL } });
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  events.on('failed', ({ jobId }) => failed.push(jobId));
  await events.waitUntilReady();
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await events?.close();
  await queue?.close();
  await dropQueue(queueName);
});

const images = sampleImages().filter((i) => !i.name.startsWith('grayscale_999'));

async function submit(n: number): Promise<string[]> {
  const subs = await Promise.all(
    Array.from({ length: n }, (_, i) => postImage(base, '/v1/jobs', images[i % images.length]!.bytes)),
  );
  expect(subs.filter((s) => s.status !== 202).map((s) => `${s.status} ${s.text}`)).toEqual([]);
  return subs.map((s) => s.body.id as string);
}

async function statuses(ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await request(`${base}/v1/jobs/${id}?wait=30`)).body.status as string));
}

describe('worker crash and shutdown', () => {
  it('recovers every job of a batch held by a SIGKILLed worker', async () => {
    // A long batch window makes the doomed worker hold all 20 jobs active at the moment it dies.
    const a = await startWorker({ ...env, BATCH_MAX_SIZE: '64', BATCH_MAX_WAIT_MS: '30000' });
    procs.push(a.proc);
    const ids = await submit(20);
    await waitUntil(async () => (await queue.getActiveCount()) === 20, 15_000, 'worker A holding 20 active jobs');
    a.proc.child.kill('SIGKILL');
    await a.proc.exited;

    const t0 = Date.now();
    const b = await startWorker(env);
    procs.push(b.proc);
    expect(await statuses(ids)).toEqual(Array<string>(20).fill('completed'));
    const recoveredMs = Date.now() - t0;
    expect(stalled.length).toBe(20);
    expect(failed).toEqual([]);
    writeReport('crash-recovery', { heldJobs: 20, recoveredAllMs: recoveredMs, stalledEvents: stalled.length });
    await b.proc.stop();
  }, 90_000);

  it('answers every synchronous prediction whose batch job a SIGKILLed worker held, once another takes it back', async () => {
    const sync = new Queue(syncQueueName(queueName), { connection: { url: REDIS_URL } });
    try {
      const a = await startWorker({ ...env, BATCH_MAX_SIZE: '64', BATCH_MAX_WAIT_MS: '30000' });
      procs.push(a.proc);
      const answers = Promise.all(
        Array.from({ length: 12 }, (_, i) => postImage(base, '/v1/predict', images[i % images.length]!.bytes)),
      );
      await waitUntil(
        async () => (await sync.getActiveCount()) > 0 && (await sync.getWaitingCount()) === 0,
        15_000,
        'worker A holding the batch jobs of the predictions',
      );
      a.proc.child.kill('SIGKILL');
      await a.proc.exited;
      const b = await startWorker(env);
      procs.push(b.proc);
      const done = await answers;
      expect(done.map((r) => r.status)).toEqual(Array<number>(12).fill(200));
      expect(done.every((r) => r.body.status === 'completed' && typeof r.body.result.prediction === 'number')).toBe(
        true,
      );
      expect(new Set(done.map((r) => r.body.id)).size).toBe(12);
      await b.proc.stop();
    } finally {
      await sync.close();
    }
  }, 90_000);

  it('drains on SIGTERM under load: the stopping worker exits 0, no job stalls or fails', async () => {
    stalled.length = 0;
    failed.length = 0;
    // A's 5 s window keeps a batch of accepted jobs in its hands until the signal (the drain must run it at once).
    const [a, b] = await Promise.all([startWorker({ ...env, BATCH_MAX_WAIT_MS: '5000' }), startWorker(env)]);
    procs.push(a.proc, b.proc);
    const done0 = await queue.getCompletedCount();
    const submitting = submit(300);
    await waitUntil(async () => (await queue.getCompletedCount()) >= done0 + 40, 60_000, 'work under way');
    // Stop A exactly while it holds jobs waiting for their batch.
    await waitUntil(
      async () => (await request(`http://127.0.0.1:${a.port}/healthz`)).body.batcher.pending > 0,
      30_000,
      'worker A holding a batch',
    );
    const t0 = Date.now();
    const code = await a.proc.stop('SIGTERM', 30_000);
    const drainMs = Date.now() - t0;
    expect(code).toBe(0);
    expect(a.proc.output()).toContain('worker stopped');
    // A was really working when told to stop: it finished jobs after the signal (its in-flight batch).
    const afterSignal = a.proc.output().split('draining')[1] ?? '';
    expect(afterSignal).toContain('job completed');
    const ids = await submitting;
    expect(await statuses(ids)).toEqual(Array<string>(300).fill('completed'));
    expect(stalled).toEqual([]);
    expect(failed).toEqual([]);
    writeReport('sigterm-drain', { jobs: 300, drainMs, stalledEvents: stalled.length, failedEvents: failed.length });
  }, 120_000);
});
