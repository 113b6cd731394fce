import { batchItemId, parseBatchItemId } from '@mserve/contracts';
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
  type Proc,
} from '@mserve/testkit';

const queue = uniqueQueue('retention');
const env = { REDIS_URL, QUEUE_NAME: queue };
let gateway: Proc;
let worker: Proc;
let base = '';
const digit = sampleImages().find((i) => i.name === '3.png')!.bytes;

beforeAll(async () => {
  const [g, w] = await Promise.all([
    startGateway({ ...env, SYNC_RESULT_MAX_COUNT: '2', RESULT_MAX_COUNT: '1000' }),
    startWorker(env),
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

describe('retention of finished jobs', () => {
  it('keeps synchronous predictions under their own limit without cutting the retention of async jobs', async () => {
    const job = await postImage(base, '/v1/jobs', digit);
    expect(job.status).toBe(202);
    expect((await request(`${base}/v1/jobs/${job.body.id as string}?wait=20`)).body.status).toBe('completed');
    // One at a time: each prediction is a batch job of its own.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await postImage(base, '/v1/predict', digit);
      expect(r.status).toBe(200);
      ids.push(r.body.id as string);
    }
    expect((await request(`${base}/v1/jobs/${ids[0]!}`)).status).toBe(404);
    expect((await request(`${base}/v1/jobs/${ids[5]!}`)).body.status).toBe('completed');
    expect((await request(`${base}/v1/jobs/${job.body.id as string}`)).body.status).toBe('completed');
    // An index past the end of a kept batch job is an unknown id, not a server error.
    const past = batchItemId(parseBatchItemId(ids[5]!)!.batchId, 63);
    const missing = await request(`${base}/v1/jobs/${past}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  }, 60_000);
});
