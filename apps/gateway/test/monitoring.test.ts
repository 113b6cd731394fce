import IORedis from 'ioredis';
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
  type Proc,
} from '@mserve/testkit';
import { expectMatchesSpec } from './openapi-check';

const queue = uniqueQueue('monitoring');
const env = { REDIS_URL, QUEUE_NAME: queue };
const digits = sampleImages().filter((i) => /^\d+\.png$/.test(i.name));
const procs: Proc[] = [];
let base = '';
let canceledId = '';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const feedback = (id: string, body: unknown) => request(`${base}/v1/jobs/${id}/feedback`, json(body));

beforeAll(async () => {
  // Not ready (no worker has published its model card yet) but accepting jobs.
  const g = await startGateway(env, false);
  procs.push(g.proc);
  base = g.base;
  // A job canceled while no worker runs: it never completes, so feedback on it must be refused.
  const sub = await postImage(base, '/v1/jobs', digits[0]!.bytes, '?samples=1');
  canceledId = sub.body.id as string;
  expect((await request(`${base}/v1/jobs/${canceledId}/cancel`, { method: 'POST' })).status).toBe(200);
  const w = await startWorker(env);
  procs.push(w.proc);
}, 120_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  const redis = new IORedis(REDIS_URL);
  const keys = await redis.keys(`bull:${queue}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await dropQueue(queue);
});

describe('drift monitoring through the real stack', () => {
  it('counts completed predictions of every worker in GET /v1/monitoring and on /metrics, and records feedback once per job', async () => {
    const ids: string[] = [];
    for (const d of digits) {
      const res = await postImage(base, '/v1/jobs', d.bytes, '?samples=2');
      expect(res.status).toBe(202);
      ids.push(res.body.id as string);
    }
    const jobs = await Promise.all(ids.map((id) => request(`${base}/v1/jobs/${id}?wait=30`)));
    for (const j of jobs) expect(j.body.status).toBe('completed');

    // The worker adds its counts to Redis once a second.
    let mon = await request(`${base}/v1/monitoring`);
    await waitUntil(
      async () => {
        mon = await request(`${base}/v1/monitoring`);
        return mon.body.windows['5m'].requests >= digits.length;
      },
      15_000,
      'monitoring counts',
    );
    expectMatchesSpec('/v1/monitoring', 'get', mon);
    const w5 = mon.body.windows['5m'];
    expect(w5.requests).toBe(digits.length);
    expect(mon.body.windows['1h'].requests).toBe(digits.length);
    expect(mon.body.reference).not.toBeNull();
    expect(w5.classMix.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    const meanReliability =
      jobs.reduce((a, j) => a + (j.body.result.uncertainty.reliability as number), 0) / jobs.length;
    expect(w5.estimatedAccuracy).toBeCloseTo(meanReliability, 6);
    // Too few requests to judge: never an alarm.
    expect(w5.alarm).toBe(false);
    expect(w5.feedback).toEqual({ labels: 0, realisedAccuracy: null, estimatedAccuracy: null });

    const job = jobs[0]!.body;
    const right = job.result.prediction as number;
    const first = await feedback(job.id, { label: right });
    expectMatchesSpec('/v1/jobs/{id}/feedback', 'post', first);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      jobId: job.id,
      label: right,
      prediction: right,
      correct: true,
      replayed: false,
    });
    const again = await feedback(job.id, { label: right });
    expect(again.status).toBe(200);
    expect(again.body.replayed).toBe(true);
    const other = await feedback(job.id, { label: (right + 1) % 10 });
    expectMatchesSpec('/v1/jobs/{id}/feedback', 'post', other);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('FEEDBACK_CONFLICT');

    const wrong = jobs[1]!.body;
    expect((await feedback(wrong.id, { label: ((wrong.result.prediction as number) + 1) % 10 })).body.correct).toBe(
      false,
    );

    mon = await request(`${base}/v1/monitoring`);
    expect(mon.body.windows['5m'].feedback.labels).toBe(2);
    expect(mon.body.windows['5m'].feedback.realisedAccuracy).toBe(0.5);
    const est = (job.result.uncertainty.reliability + wrong.result.uncertainty.reliability) / 2;
    expect(mon.body.windows['5m'].feedback.estimatedAccuracy).toBeCloseTo(est, 6);

    const metrics = await request(`${base}/metrics`);
    expect(metrics.text).toMatch(new RegExp(`^drift_requests\\{window="5m"\\} ${digits.length}$`, 'm'));
    expect(metrics.text).toMatch(/^drift_realised_accuracy\{window="5m"\} 0\.5$/m);
    expect(metrics.text).toMatch(/^drift_score\{window="1h"\} [0-9.e+-]+$/m);
  }, 90_000);

  it('refuses feedback for an unknown job, a job that did not complete, and a body that is not a digit label', async () => {
    const unknown = await feedback('00000000-0000-4000-8000-000000000000', { label: 3 });
    expectMatchesSpec('/v1/jobs/{id}/feedback', 'post', unknown);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);

    const canceled = await feedback(canceledId, { label: 3 });
    expectMatchesSpec('/v1/jobs/{id}/feedback', 'post', canceled);
    expect([canceled.status, canceled.body.error.code]).toEqual([409, 'JOB_NOT_COMPLETED']);

    for (const body of [{ label: 10 }, { label: 'seven' }, { label: 1.5 }, {}, [3], { label: 3, extra: 1 }]) {
      const bad = await feedback(canceledId, body);
      expectMatchesSpec('/v1/jobs/{id}/feedback', 'post', bad);
      expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const notJson = await request(`${base}/v1/jobs/${canceledId}/feedback`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });
});
