import { randomUUID } from 'node:crypto';
import { AppError } from '@mserve/common';
import {
  EXAMPLE_FACTS,
  EXAMPLE_RESULT,
  decodeTensor,
  parseBatchItemId,
  type BatchJobResult,
  type InferenceJobData,
  type InferenceResult,
} from '@mserve/contracts';
import { finishedSnapshot, type FinishedJob, type JobSnapshot } from './job-snapshot';
import type { Ending, JobRepository, JobWaiters, PipelineMetrics, Preprocessor, Wait } from './ports';
import { createJobsService, type JobsServiceConfig } from './service';
import type { Submission } from './submit';

/** Jobs and batch jobs in memory, with the failure modes of the Redis store at hand. */
class MemoryJobs implements JobRepository {
  readonly jobs = new Map<string, { data: InferenceJobData; end?: FinishedJob }>();
  readonly batches = new Map<string, { items: InferenceJobData[]; end?: FinishedJob }>();
  waitingOverride: number | undefined;
  down = false;
  reads = 0;
  /** Sizes of the bulk adds, in order. */
  readonly bulkSizes: number[] = [];
  /** Runs on every enqueue before the job is stored (to look at the world at that moment). */
  onEnqueue: (id: string) => void = () => undefined;

  private check(): void {
    if (this.down) throw new AppError('REDIS_UNAVAILABLE', 'the job queue is unavailable; retry shortly');
  }

  async waitingCount(): Promise<number> {
    this.check();
    return this.waitingOverride ?? [...this.jobs.values(), ...this.batches.values()].filter((j) => !j.end).length;
  }

  async enqueue(id: string, data: InferenceJobData): Promise<void> {
    this.check();
    this.onEnqueue(id);
    this.jobs.set(id, { data });
  }

  async enqueueMany(jobs: Array<{ id: string; data: InferenceJobData }>): Promise<void> {
    this.check();
    this.bulkSizes.push(jobs.length);
    for (const j of jobs) {
      this.onEnqueue(j.id);
      this.jobs.set(j.id, { data: j.data });
    }
  }

  async enqueueBatch(batchId: string, items: InferenceJobData[]): Promise<void> {
    this.check();
    this.onEnqueue(batchId);
    this.batches.set(batchId, { items });
  }

  async get(id: string): Promise<JobSnapshot | null> {
    this.check();
    this.reads++;
    const item = parseBatchItemId(id);
    const job = item ? this.batches.get(item.batchId) : this.jobs.get(id);
    const data = item
      ? (job as { items: InferenceJobData[] } | undefined)?.items[item.index]
      : job && 'data' in job
        ? job.data
        : undefined;
    if (!job || !data) return null;
    const snap: JobSnapshot = {
      id,
      status: 'queued',
      data: {
        requestId: data.requestId,
        submittedAt: data.submittedAt,
        ...(data.webhook ? { webhook: data.webhook } : {}),
      },
    };
    return job.end ? finishedSnapshot(snap, job.end, item?.index) : snap;
  }

  /** Ends a job or batch job in the store (the worker's side). */
  finish(id: string, end: FinishedJob): void {
    const job = this.jobs.get(id) ?? this.batches.get(id);
    if (!job) throw new Error(`no job ${id}`);
    job.end = end;
  }
}

/** Waits that end when the test fires an ending, or at their deadline. */
class ManualWaiters implements JobWaiters {
  private readonly waits = new Map<string, Set<(e: Ending) => void>>();
  registered = 0;

  get size(): number {
    return [...this.waits.values()].reduce((n, s) => n + s.size, 0);
  }

  has(jobId: string): boolean {
    return (this.waits.get(jobId)?.size ?? 0) > 0;
  }

  wait(jobId: string, timeoutMs: number): Wait {
    this.registered++;
    let resolve!: (e: Ending) => void;
    const done = new Promise<Ending>((r) => {
      const timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
      resolve = (e) => {
        clearTimeout(timer);
        this.waits.get(jobId)?.delete(resolve);
        r(e);
      };
    });
    if (!this.waits.has(jobId)) this.waits.set(jobId, new Set());
    this.waits.get(jobId)!.add(resolve);
    return { done, cancel: () => resolve({ kind: 'timeout' }) };
  }

  fire(jobId: string, ending: Ending): void {
    for (const r of [...(this.waits.get(jobId) ?? [])]) r(ending);
  }
}

const config: JobsServiceConfig = {
  MC_SAMPLES_DEFAULT: 30,
  ALPHA_DEFAULT: 0.05,
  MAX_QUEUE_DEPTH: 100,
  SYNC_TIMEOUT_MS: 2000,
  PREDICT_BATCH_MAX: 64,
};

function result(id: string, prediction: number): InferenceResult {
  const r = EXAMPLE_RESULT.result;
  return {
    ...EXAMPLE_RESULT,
    id,
    result: { ...r, prediction, uncertainty: { ...r.uncertainty, predictionSet: [prediction] } },
  };
}

function setup(overrides: Partial<JobsServiceConfig> = {}) {
  const jobs = new MemoryJobs();
  const waiters = new ManualWaiters();
  const calls = { preprocess: 0, webhookGuard: [] as string[], webhookState: [] as string[], stateFails: false };
  const counted = { preprocessedMs: [] as number[], submitted: 0, failures: [] as string[], batches: [] as number[] };
  const metrics: PipelineMetrics = {
    preprocessed: (ms) => counted.preprocessedMs.push(ms),
    submitted: () => counted.submitted++,
    enqueueFailed: (code) => counted.failures.push(code),
    batched: (n) => counted.batches.push(n),
  };
  let inkFraction = 0.2;
  let edgeDensity = EXAMPLE_FACTS.edgeDensity;
  const preprocess: Preprocessor = async (image) => {
    calls.preprocess++;
    if (image.length === 0) throw new AppError('IMAGE_EMPTY', 'empty');
    return {
      tensor: new Float32Array(4).fill(0.5),
      shape: [2, 2],
      facts: { ...EXAMPLE_FACTS, bytes: image.length, inkFraction, edgeDensity },
      ms: 3,
    };
  };
  const service = createJobsService({
    config: { ...config, ...overrides },
    jobs,
    waiters,
    preprocess,
    checkWebhookUrl: async (url) => {
      calls.webhookGuard.push(url);
      if (url.includes('10.0.0.1')) throw new AppError('WEBHOOK_URL_REFUSED', 'private address');
    },
    webhookState: async (id) => {
      calls.webhookState.push(id);
      if (calls.stateFails) throw new Error('unreadable');
      return { state: 'pending', attempts: 0 };
    },
    metrics,
  });
  return {
    service,
    jobs,
    waiters,
    calls,
    counted,
    setInk: (ink: number, edges = edgeDensity) => {
      inkFraction = ink;
      edgeDensity = edges;
    },
  };
}

const image = Buffer.from('png bytes');
const sub = (fields: Record<string, unknown> = {}): Submission => ({ image, fields });

/** Lets pending promise callbacks run (the service awaits its ports between steps). */
const settle = () => new Promise((r) => setImmediate(r));

describe('submitting an asynchronous job', () => {
  it('enqueues the preprocessed tensor with the request id, the facts and the configured defaults', async () => {
    const { service, jobs, counted } = setup();
    const { id } = await service.submitJob(sub(), 'req-1');
    const stored = jobs.jobs.get(id)!.data;
    expect(stored).toMatchObject({ v: 1, requestId: 'req-1', params: { samples: 30, alpha: 0.05 } });
    expect(stored.facts).toEqual({ ...EXAMPLE_FACTS, bytes: image.length, inkFraction: 0.2 });
    expect(decodeTensor(stored.input).shape).toEqual([2, 2]);
    expect(stored.webhook).toBeUndefined();
    expect(counted).toMatchObject({ preprocessedMs: [3], submitted: 1, failures: [] });
  });

  it('adds submissions that arrive while an add is in flight in one bulk write, each under its own id', async () => {
    const { service, jobs } = setup();
    const accepted = await Promise.all([1, 2, 3, 4, 5].map((n) => service.submitJob(sub(), `req-${n}`)));
    const ids = accepted.map((a) => a.id);
    expect(new Set(ids).size).toBe(5);
    ids.forEach((id, n) => expect(jobs.jobs.get(id)?.data.requestId).toBe(`req-${n + 1}`));
    expect(jobs.bulkSizes.reduce((a, b) => a + b, 0)).toBe(5);
    expect(Math.max(...jobs.bulkSizes)).toBeGreaterThan(1);
  });

  it('refuses bad parameters with VALIDATION_FAILED before any other step', async () => {
    const { service, jobs, calls } = setup();
    await expect(service.submitJob(sub({ samples: '0' }), 'r')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(calls.preprocess).toBe(0);
    expect(jobs.jobs.size).toBe(0);
  });

  it('refuses a webhook URL the guard refuses, before spending the preprocessing', async () => {
    const { service, jobs, calls } = setup();
    const webhook = JSON.stringify({ url: 'http://10.0.0.1/hook' });
    await expect(service.submitJob(sub({ webhook }), 'r')).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
    expect(calls.webhookGuard).toEqual(['http://10.0.0.1/hook']);
    expect(calls.preprocess).toBe(0);
    expect(jobs.jobs.size).toBe(0);
  });

  it('carries an accepted webhook with every event by default', async () => {
    const { service, jobs } = setup();
    const { id } = await service.submitJob(sub({ webhook: { url: 'https://hooks.example.com/x' } }), 'r');
    expect(jobs.jobs.get(id)!.data.webhook).toEqual({
      url: 'https://hooks.example.com/x',
      events: ['completed', 'failed', 'canceled', 'expired'],
    });
  });

  it('answers QUEUE_FULL once the backlog reaches the limit, without preprocessing, and counts it', async () => {
    const { service, jobs, calls, counted } = setup({ MAX_QUEUE_DEPTH: 5 });
    jobs.waitingOverride = 5;
    await expect(service.submitJob(sub(), 'r')).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      message: 'the queue holds 5 waiting jobs (limit 5)',
    });
    expect(calls.preprocess).toBe(0);
    expect(counted.failures).toEqual(['QUEUE_FULL']);
    jobs.waitingOverride = 4;
    await expect(service.submitJob(sub(), 'r')).resolves.toHaveProperty('id');
  });

  it('passes on an image error of the preprocessing and enqueues nothing', async () => {
    const { service, jobs, counted } = setup();
    await expect(service.submitJob({ image: Buffer.alloc(0), fields: {} }, 'r')).rejects.toMatchObject({
      code: 'IMAGE_EMPTY',
    });
    expect(jobs.jobs.size).toBe(0);
    expect(counted.failures).toEqual([]);
  });

  it('refuses a blank image (no ink found, no edges) with IMAGE_BLANK and enqueues nothing', async () => {
    const { service, jobs, counted, setInk } = setup();
    setInk(0, 0);
    await expect(service.submitJob(sub(), 'r')).rejects.toMatchObject({
      code: 'IMAGE_BLANK',
      message: 'no ink found: the image is blank',
    });
    await expect(service.predict(sub(), 'r')).rejects.toMatchObject({ code: 'IMAGE_BLANK' });
    expect(jobs.jobs.size + jobs.batches.size).toBe(0);
    expect(counted).toMatchObject({ submitted: 0, failures: [] });
  });

  it('answers a picture without ink but with structure (a photo): its uncertainty, not a refusal, says not to trust it', async () => {
    const { service, jobs, setInk } = setup();
    setInk(0, 0.25);
    const accepted = await service.submitJob(sub(), 'r');
    expect(jobs.jobs.has(accepted.id)).toBe(true);
  });

  it('counts REDIS_UNAVAILABLE when the store is away', async () => {
    const { service, jobs, counted } = setup();
    jobs.down = true;
    await expect(service.submitJob(sub(), 'r')).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(counted.failures).toEqual(['REDIS_UNAVAILABLE']);
    expect(counted.submitted).toBe(0);
  });
});

describe('a synchronous prediction', () => {
  it('goes into a batch job and is answered from the completion event, without reading the store', async () => {
    const { service, jobs, waiters, counted } = setup();
    const answer = service.predict(sub({ samples: '9' }), 'req-p');
    await settle();
    const [batchId, batch] = [...jobs.batches.entries()][0]!;
    expect(batch.items.map((i) => i.params.samples)).toEqual([9]);
    const returnvalue: BatchJobResult = { v: 1, items: [result('x', 7)] };
    waiters.fire(batchId, { kind: 'completed', returnvalue, at: 1234 });
    const snap = await answer;
    expect(snap).toMatchObject({ status: 'completed', finishedAt: 1234, data: { requestId: 'req-p' } });
    expect(snap.result?.result.prediction).toBe(7);
    expect(parseBatchItemId(snap.id)).toEqual({ batchId, index: 0 });
    expect(jobs.reads).toBe(0);
    expect(counted).toMatchObject({ submitted: 1, batches: [1] });
    expect(waiters.size).toBe(0);
  });

  it('with a webhook gets a job of its own, waited on from before it was enqueued, and carries its failure', async () => {
    const { service, jobs, waiters } = setup();
    const registeredFirst: boolean[] = [];
    jobs.onEnqueue = (id) => registeredFirst.push(waiters.has(id));
    const answer = service.predict(sub({ webhook: { url: 'https://hooks.example.com/x' } }), 'r');
    await settle();
    const [id] = [...jobs.jobs.keys()];
    expect(registeredFirst).toEqual([true]);
    expect(jobs.batches.size).toBe(0);
    waiters.fire(id!, { kind: 'failed', reason: 'IMAGE_UNDECODABLE: broken', at: 99 });
    expect(await answer).toMatchObject({
      id,
      status: 'failed',
      error: { code: 'IMAGE_UNDECODABLE', message: 'broken' },
    });
  });

  it('releases its wait when the enqueue fails', async () => {
    const { service, jobs, waiters } = setup();
    jobs.onEnqueue = () => {
      throw new AppError('REDIS_UNAVAILABLE', 'gone');
    };
    await expect(service.predict(sub({ webhook: { url: 'https://h.example.com/' } }), 'r')).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
    });
    await expect(service.predict(sub(), 'r')).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(waiters.size).toBe(0);
  });

  it('reads the job back after SYNC_TIMEOUT_MS and hands over its unfinished state', async () => {
    const { service, jobs } = setup({ SYNC_TIMEOUT_MS: 30 });
    const snap = await service.predict(sub(), 'r');
    expect(snap.status).toBe('queued');
    expect(jobs.reads).toBe(1);
  });

  it('stops waiting as soon as the client goes away', async () => {
    const { service, waiters } = setup({ SYNC_TIMEOUT_MS: 60_000 });
    const ac = new AbortController();
    const answer = service.predict(sub(), 'r', ac.signal);
    await settle();
    expect(waiters.size).toBe(1);
    ac.abort();
    expect((await answer).status).toBe('queued');
    expect(waiters.size).toBe(0);
  });
});

describe('reading a job', () => {
  it('answers NOT_FOUND for an id that is no UUID without asking the store, and for an unknown one', async () => {
    const { service, jobs } = setup();
    await expect(service.getJob('nope', 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(jobs.reads).toBe(0);
    await expect(service.getJob(randomUUID(), 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('quotes at most 64 characters of an unknown id in the NOT_FOUND message', async () => {
    const { service } = setup();
    const err = (await service.getJob('z'.repeat(5000), 0).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe(`no job ${'z'.repeat(64)}… (unknown, or removed after the retention period)`);
  });

  it('answers an unfinished job at once without wait, and long-polls until it ends with one', async () => {
    const { service, jobs, waiters } = setup();
    const { id } = await service.submitJob(sub(), 'r');
    expect((await service.getJob(id, 0)).snap.status).toBe('queued');
    expect(waiters.size).toBe(0);
    const polled = service.getJob(id, 10_000);
    await settle();
    jobs.finish(id, { finishedOn: 5, returnvalue: result(id, 3) });
    waiters.fire(id, { kind: 'completed', returnvalue: result(id, 3), at: 5 });
    const { snap, webhook } = await polled;
    expect(snap).toMatchObject({ status: 'completed', finishedAt: 5 });
    expect(webhook).toBeNull();
    expect(waiters.size).toBe(0);
  });

  it('answers a long-poll from the completion event without reading the job again after it ends', async () => {
    const { service, jobs, waiters } = setup();
    const { id } = await service.submitJob(sub(), 'req-7');
    const polled = service.getJob(id, 10_000);
    await settle();
    const readsBefore = jobs.reads;
    // The store still says queued: only the event can tell the poll that the job ended.
    waiters.fire(id, { kind: 'completed', returnvalue: result(id, 4), at: 9 });
    const { snap } = await polled;
    expect(snap).toMatchObject({ id, status: 'completed', finishedAt: 9, data: { requestId: 'req-7' } });
    expect(jobs.reads).toBe(readsBefore);
  });

  it('answers a finished job without registering a wait', async () => {
    const { service, jobs, waiters } = setup();
    const { id } = await service.submitJob(sub(), 'r');
    jobs.finish(id, { finishedOn: 5, failedReason: 'INFERENCE_FAILED: nan' });
    const { snap } = await service.getJob(id, 10_000);
    expect(snap).toMatchObject({ status: 'failed', error: { code: 'INFERENCE_FAILED', message: 'nan' } });
    expect(waiters.registered).toBe(0);
  });

  it('waits on the batch job of a grouped prediction', async () => {
    const { service, jobs, waiters } = setup({ SYNC_TIMEOUT_MS: 20 });
    const { id } = await service.predict(sub(), 'r');
    const { batchId } = parseBatchItemId(id)!;
    const polled = service.getJob(id, 10_000);
    await settle();
    expect(waiters.has(batchId)).toBe(true);
    jobs.finish(batchId, { finishedOn: 8, returnvalue: { v: 1, items: [result(id, 1)] } });
    waiters.fire(batchId, { kind: 'ended' });
    expect((await polled).snap).toMatchObject({ id, status: 'completed' });
  });

  it('shows the webhook delivery state of a job with a webhook, and none when it cannot be read', async () => {
    const { service, calls } = setup();
    const { id } = await service.submitJob(sub({ webhook: { url: 'https://hooks.example.com/x' } }), 'r');
    const plain = await service.submitJob(sub(), 'r');
    expect((await service.getJob(id, 0)).webhook).toEqual({ state: 'pending', attempts: 0 });
    expect((await service.getJob(plain.id, 0)).webhook).toBeNull();
    expect(calls.webhookState).toEqual([id]);
    calls.stateFails = true;
    expect((await service.getJob(id, 0)).webhook).toBeNull();
  });
});
