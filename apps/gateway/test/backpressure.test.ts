import { Queue } from 'bullmq';
import { expectMatchesSpec } from './openapi-check';
import { REDIS_URL, postImage, request, sampleImages, startGateway, uniqueQueue, type Proc } from '@mserve/testkit';
import { closeHttp, dropQueue } from '@mserve/testkit';

// No worker consumes this queue: every accepted job stays waiting.
const LIMIT = 5;
const queue = uniqueQueue('backpressure');
let gateway: Proc;
let base = '';
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  const g = await startGateway({
    REDIS_URL,
    QUEUE_NAME: queue,
    MAX_QUEUE_DEPTH: String(LIMIT),
    SYNC_TIMEOUT_MS: '400',
    RETRY_AFTER_S: '3',
  });
  gateway = g.proc;
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await gateway?.stop();
  await dropQueue(queue);
});

describe('backpressure without workers', () => {
  it('answers predict with 504 carrying the job id when no result comes in time, and the job stays pollable', async () => {
    const res = await postImage(base, '/v1/predict', digit);
    expect(res.status).toBe(504);
    expectMatchesSpec('/v1/predict', 'post', res);
    expect(res.body.error.code).toBe('TIMEOUT');
    const id = res.body.error.details.jobId as string;
    expect(res.headers.location).toBe(`/v1/jobs/${id}`);
    const poll = await request(`${base}/v1/jobs/${id}?wait=0.2`);
    expect(poll.status).toBe(200);
    expect(poll.body.status).toBe('queued');
    expectMatchesSpec('/v1/jobs/{id}', 'get', poll);
  });

  it('gives 429 with Retry-After once the backlog reaches the limit', async () => {
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof postImage>> | undefined;
    for (let i = 0; i < LIMIT + 2 && !refused; i++) {
      const r = await postImage(base, '/v1/jobs', digit);
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    // One job is already waiting from the predict above, so the limit is hit after LIMIT - 1 more.
    expect(statuses).toEqual([...Array<number>(LIMIT - 1).fill(202), 429]);
    expect(refused!.headers['retry-after']).toBe('3');
    expect(refused!.body.error.code).toBe('QUEUE_FULL');
    expectMatchesSpec('/v1/jobs', 'post', refused!);
    const metrics = await request(`${base}/metrics`);
    expect(metrics.text).toMatch(/gateway_enqueue_failures_total\{code="QUEUE_FULL"\} 1/);
    expect(metrics.text).toMatch(new RegExp(`queue_jobs\\{state="wait"\\} ${LIMIT}`));
  });

  it('reports not ready with queueAccepting false while the queue is paused, and ready again once resumed', async () => {
    const q = new Queue(queue, { connection: { url: REDIS_URL } });
    try {
      await q.pause();
      const paused = await request(`${base}/readyz`);
      expect(paused.status).toBe(503);
      expect(paused.body.checks).toEqual({ redis: true, model: true, queueAccepting: false });
      expect(paused.headers['retry-after']).toBe('3');
      expectMatchesSpec('/readyz', 'get', paused);
      await q.resume();
      expect((await request(`${base}/readyz`)).status).toBe(200);
    } finally {
      await q.close();
    }
  });
});
