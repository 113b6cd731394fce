import {
  freePort,
  postImage,
  request,
  sampleImages,
  startGateway,
  startRedisServer,
  startWorker,
  uniqueQueue,
  waitUntil,
  writeReport,
  type Proc,
} from '@mserve/testkit';
import { closeHttp } from '@mserve/testkit';

let redis: Proc;
let redisPort = 0;
let gateway: Proc;
let worker: Proc;
let base = '';
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedisServer(redisPort);
  const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, QUEUE_NAME: uniqueQueue('outage') };
  const [g, w] = await Promise.all([startGateway(env), startWorker(env)]);
  gateway = g.proc;
  base = g.base;
  worker = w.proc;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all([gateway?.stop(), worker?.stop(), redis?.stop()]);
});

describe('Redis outage', () => {
  it('answers 503 within a second while Redis is down, fails readiness, and recovers without a restart', async () => {
    const before = await postImage(base, '/v1/predict', digit);
    expect(before.status).toBe(200);
    const jobId = before.body.id as string;

    await redis.stop('SIGKILL');
    const t0 = Date.now();
    const submit = await postImage(base, '/v1/jobs', digit);
    const submitMs = Date.now() - t0;
    expect(submit.status).toBe(503);
    expect(submit.body.error.code).toBe('REDIS_UNAVAILABLE');
    expect(submit.headers['retry-after']).toBeDefined();
    expect(submitMs).toBeLessThan(1000);

    const t1 = Date.now();
    const poll = await request(`${base}/v1/jobs/${jobId}?wait=5`);
    const pollMs = Date.now() - t1;
    expect(poll.status).toBe(503);
    expect(pollMs).toBeLessThan(1000);

    const t2 = Date.now();
    const ready = await request(`${base}/readyz`);
    const readyMs = Date.now() - t2;
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis).toBe(false);
    expect(readyMs).toBeLessThan(1000);
    expect((await request(`${base}/healthz`)).status).toBe(200);

    // Same port, empty data set: the service must notice and serve again by itself.
    redis = await startRedisServer(redisPort);
    const t3 = Date.now();
    await waitUntil(
      async () => (await request(`${base}/readyz`)).status === 200,
      15_000,
      'readiness after Redis returned',
    );
    const readyAgainMs = Date.now() - t3;
    let after = await postImage(base, '/v1/predict', digit);
    // The worker's blocking connection reconnects on its own back-off; give it the same grace.
    await waitUntil(
      async () => after.status === 200 || ((after = await postImage(base, '/v1/predict', digit)), false),
      15_000,
      'a prediction after Redis returned',
    );
    const servingAgainMs = Date.now() - t3;
    expect(after.body.result.prediction).toBe(before.body.result.prediction);
    expect(gateway.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    writeReport('redis-outage', { submitMs, pollMs, readyMs, readyAgainMs, servingAgainMs });
  }, 60_000);
});
