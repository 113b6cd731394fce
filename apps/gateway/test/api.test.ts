import { WEBHOOK_QUEUE, deliveryJobId } from '@mserve/webhooks';
import { Queue } from 'bullmq';
import { expectMatchesSpec } from './openapi-check';
import {
  REDIS_URL,
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
import { closeHttp, dropQueue } from '@mserve/testkit';

// A 150 ms batch window makes every job finish well after its long-poll started, so the poll's latency is the
// gateway's reaction to the completion, not a race with it.
const queue = uniqueQueue('api');
const env = { REDIS_URL, QUEUE_NAME: queue };
let gateway: Proc;
let worker: Proc;
let base = '';
const images = sampleImages();
const digit = images.find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  const [g, w] = await Promise.all([
    // Loopback receivers are refused unless allowlisted; 127.0.0.1 is, for the webhook seam test.
    // A 5 s state re-check: any completion answered quickly here came through the event path, not the fallback.
    startGateway({ ...env, WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WAIT_RECHECK_MS: '5000' }),
    startWorker({ ...env, BATCH_MAX_WAIT_MS: '150', BATCH_MAX_SIZE: '8' }),
  ]);
  gateway = g.proc;
  base = g.base;
  worker = w.proc;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all([gateway?.stop(), worker?.stop()]);
  await dropQueue(queue);
});

describe('gateway API with a real worker', () => {
  it('accepts a raw image with 202 and a Location, and the job completes with the result contract', async () => {
    const res = await postImage(base, '/v1/jobs', digit, '?samples=20&alpha=0.1');
    expect(res.status).toBe(202);
    expectMatchesSpec('/v1/jobs', 'post', res);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    const done = await request(`${base}${res.headers.location}?wait=20`);
    expect(done.status).toBe(200);
    expectMatchesSpec('/v1/jobs/{id}', 'get', done);
    expect(done.body.status).toBe('completed');
    expect(done.body.result.uncertainty.samples).toBe(20);
    expect(done.body.result.uncertainty.alpha).toBe(0.1);
    expect(done.body.model.digest).toMatch(/^sha256:/);
  });

  it('accepts multipart uploads with form parameters and JSON bodies with a base64 image', async () => {
    const form = new FormData();
    form.append('image', new Blob([digit], { type: 'image/png' }), '5.png');
    form.append('samples', '7');
    const multipart = await fetch(`${base}/v1/predict`, { method: 'POST', body: form });
    const mBody = (await multipart.json()) as { result: { uncertainty: { samples: number } } };
    expect(multipart.status).toBe(200);
    expectMatchesSpec('/v1/predict', 'post', { status: multipart.status, body: mBody });
    expect(mBody.result.uncertainty.samples).toBe(7);

    const json = await request(`${base}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: digit.toString('base64'), samples: 9 }),
    });
    expect(json.status).toBe(200);
    expectMatchesSpec('/v1/predict', 'post', json);
    expect(json.body.result.uncertainty.samples).toBe(9);
    // Same image, same deterministic pass: the parameters change the uncertainty estimate, not the prediction.
    expect(json.body.result.prediction).toBe((mBody.result as unknown as { prediction: number }).prediction);
    expect(json.body.result.rawProbabilities).toEqual(
      (mBody.result as unknown as { rawProbabilities: number[] }).rawProbabilities,
    );
  });

  it.each([
    ['samples out of range', '/v1/jobs', 'image/png', digit, '?samples=0', 400],
    ['alpha of 1', '/v1/jobs', 'image/png', digit, '?alpha=1', 400],
    ['an unknown parameter', '/v1/jobs', 'image/png', digit, '?colour=red', 400],
    ['a text body', '/v1/jobs', 'text/plain', Buffer.from('hello'), '', 415],
    ['bytes that are no image', '/v1/jobs', 'image/png', Buffer.from('not an image at all'), '', 415],
    ['an empty body', '/v1/predict', 'image/png', Buffer.alloc(0), '', 422],
    ['a truncated PNG', '/v1/predict', 'image/png', digit.subarray(0, 60), '', 422],
    ['malformed JSON', '/v1/jobs', 'application/json', Buffer.from('{"image": '), '', 400],
  ])('answers %s with a 4xx error body, never a 500', async (_what, route, type, body, query, status) => {
    const res = await request(`${base}${route}${query}`, { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expectMatchesSpec(route, 'post', res);
  });

  it('answers an unknown job with 404 and a bad wait with 400', async () => {
    const missing = await request(`${base}/v1/jobs/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expectMatchesSpec('/v1/jobs/{id}', 'get', missing);
    const bad = await request(`${base}/v1/jobs/00000000-0000-4000-8000-000000000000?wait=31`);
    expect(bad.status).toBe(400);
  });

  it('long-poll answers within 50 ms of completion, and a finished job comes back at once', async () => {
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const sub = await postImage(base, '/v1/jobs', images[i % images.length]!.bytes);
      const res = await request(`${base}/v1/jobs/${sub.body.id}?wait=20`);
      expect(res.body.status).toBe('completed');
      lags.push(res.at - Date.parse(res.body.finishedAt));
      const t0 = Date.now();
      const again = await request(`${base}/v1/jobs/${sub.body.id}?wait=30`);
      expect(Date.now() - t0).toBeLessThan(500);
      expect(again.body.result).toEqual(res.body.result);
    }
    process.stdout.write(`long-poll lag after completion (ms): ${lags.join(', ')}\n`);
    writeReport('long-poll', { description: 'response arrival minus job finishedOn, ms', lagsMs: lags });
    // On this shared 2-core machine a single sample can lose the CPU for a scheduler slice: the median must be
    // within 50 ms, and none may be near the 5 s re-check (which would mean the event was missed).
    const sorted = [...lags].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(50);
    for (const lag of lags) expect(lag).toBeLessThan(1000);
  });

  it('carries the client request id into the job and the worker log', async () => {
    const res = await postImage(base, '/v1/predict', digit, '', { 'x-request-id': 'it-req-42' });
    expect(res.headers['x-request-id']).toBe('it-req-42');
    expect(res.body.requestId).toBe('it-req-42');
    // The worker's log line travels through a pipe; it may arrive just after the HTTP answer.
    await waitUntil(() => worker.output().includes('"requestId":"it-req-42"'), 5000, 'the worker log line');
  });

  it('fails only the malformed job of a batch, with its reason kept', async () => {
    const q = new Queue(queue, { connection: { url: REDIS_URL } });
    try {
      const subs = await Promise.all([0, 1, 2].map(() => postImage(base, '/v1/jobs', digit)));
      await q.add(
        'predict',
        {
          v: 1,
          params: { samples: 5, alpha: 0.1 },
          facts: {},
          input: { dtype: 'float32', shape: [28, 28], data: 'AAAA' },
        },
        { jobId: '11111111-1111-4111-8111-111111111111' },
      );
      const bad = await request(`${base}/v1/jobs/11111111-1111-4111-8111-111111111111?wait=20`);
      expect(bad.body).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } });
      expectMatchesSpec('/v1/jobs/{id}', 'get', bad);
      for (const s of subs) {
        const r = await request(`${base}/v1/jobs/${s.body.id}?wait=20`);
        expect(r.body.status).toBe('completed');
      }
    } finally {
      await q.close();
    }
  });

  it('describes the model, health, readiness, metrics and the API itself', async () => {
    const models = await request(`${base}/v1/models`);
    expectMatchesSpec('/v1/models', 'get', models);
    expect(models.body.models[0]).toMatchObject({
      name: 'mnist_model',
      inputShape: [28, 28],
      servedByThisGateway: true,
    });
    expect(models.body.models[0].calibration).toMatchObject({ format: 'mserve-calibration' });
    // The committed calibration was fitted with the preprocessing this gateway runs.
    expect(models.body.models[0].preprocessing).toMatchObject({
      fingerprint: models.body.models[0].calibration.preprocessingFingerprint,
      matchesCalibration: true,
    });
    expectMatchesSpec('/healthz', 'get', await request(`${base}/healthz`));
    const ready = await request(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expectMatchesSpec('/readyz', 'get', ready);
    const metrics = await request(`${base}/metrics`);
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/v1\/jobs"/);
    expect(metrics.text).toMatch(/queue_jobs\{state="completed"\} \d+/);
    const html = await request(`${base}/docs`);
    expect(html.text).toContain('swagger-ui-bundle.js');
    const doc = await request(`${base}/docs/openapi.json`);
    expect(doc.body.openapi).toBe('3.1.0');
  });

  it('adds the 28x28 input the model saw to an answer only when asked with include=input', async () => {
    const plain = await postImage(base, '/v1/predict', digit);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('input');
    const shown = await postImage(base, '/v1/predict', digit, '?include=input');
    expect(shown.status).toBe(200);
    expectMatchesSpec('/v1/predict', 'post', shown);
    expect(shown.body.input).toMatchObject({ width: 28, height: 28, encoding: 'grey8' });
    const grey = Buffer.from(shown.body.input.data, 'base64');
    expect(grey.length).toBe(784);
    // A centred digit: ink in the middle, none in the corners.
    expect(grey[28 * 14 + 14]! + grey[28 * 13 + 14]! + grey[28 * 14 + 13]!).toBeGreaterThan(0);
    expect(grey[0]).toBe(0);
    // The same image read back from the job, asked for on the read.
    const job = await postImage(base, '/v1/jobs', digit);
    const read = await request(`${base}/v1/jobs/${job.body.id}?wait=20&include=input`);
    expect(read.body.status).toBe('completed');
    expectMatchesSpec('/v1/jobs/{id}', 'get', read);
    expect(read.body.input.data).toBe(shown.body.input.data);
    const bad = await request(`${base}/v1/jobs/${job.body.id}?include=tensor`);
    expect(bad.status).toBe(400);
  });

  it('carries a webhook to the notifier queue and shows its delivery state, refusing private URLs with 422', async () => {
    const refused = await postImage(
      base,
      '/v1/jobs',
      digit,
      `?webhook=${encodeURIComponent('{"url":"http://10.0.0.1/hook"}')}`,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('WEBHOOK_URL_REFUSED');
    expectMatchesSpec('/v1/jobs', 'post', refused);

    const form = new FormData();
    form.append('image', new Blob([digit], { type: 'image/png' }), '5.png');
    form.append('webhook', JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['completed'] }));
    const sub = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form });
    expect(sub.status).toBe(202);
    const { id } = (await sub.json()) as { id: string };
    const done = await request(`${base}/v1/jobs/${id}?wait=20`);
    expect(done.body.status).toBe('completed');
    // No notifier runs in this suite: the delivery waits in its queue.
    expect(done.body.webhook).toMatchObject({ state: 'pending', attempts: 0 });
    expectMatchesSpec('/v1/jobs/{id}', 'get', done);
    // Leave no delivery behind for a notifier that may share this Redis.
    const wq = new Queue(WEBHOOK_QUEUE, { connection: { url: REDIS_URL } });
    await wq.remove(deliveryJobId(id, 'completed'));
    await wq.close();
  });
});
