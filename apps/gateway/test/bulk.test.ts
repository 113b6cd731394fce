import { Queue } from 'bullmq';
import {
  REDIS_URL,
  closeHttp,
  dropQueue,
  request,
  sampleImages,
  startGateway,
  startWorker,
  uniqueQueue,
  type Proc,
} from '@mserve/testkit';
import { expectMatchesSpec } from './openapi-check';

const queue = uniqueQueue('bulk');
const env = { REDIS_URL, QUEUE_NAME: queue };
const images = sampleImages();
const digits = ['3.png', '5.png', '63.png'].map((n) => images.find((i) => i.name === n)!.bytes);
const procs: Proc[] = [];
let base = '';

beforeAll(async () => {
  const [g, w] = await Promise.all([startGateway(env), startWorker(env)]);
  procs.push(g.proc, w.proc);
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  await dropQueue(queue);
});

async function postForm(form: FormData) {
  const res = await fetch(`${base}/v1/jobs?samples=3`, { method: 'POST', body: form });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('bulk submission', () => {
  it('makes one job per image part plus a batch, and the batch long-polls until every job ended', async () => {
    const form = new FormData();
    digits.forEach((d, i) => form.append('image', new Blob([d], { type: 'image/png' }), `${i}.png`));
    const res = await postForm(form);
    expect(res.status).toBe(202);
    expectMatchesSpec('/v1/jobs', 'post', res);
    expect(res.body.jobs).toHaveLength(3);
    expect(res.headers.get('location')).toBe(`/v1/batches/${res.body.id}`);
    const done = await request(`${base}/v1/batches/${res.body.id}?wait=20`);
    expect(done.status).toBe(200);
    expectMatchesSpec('/v1/batches/{id}', 'get', done);
    expect(done.body.done).toBe(true);
    expect(done.body.counts).toEqual({ completed: 3 });
    expect(done.body.jobs.map((j: { id: string }) => j.id)).toEqual(res.body.jobs.map((j: { id: string }) => j.id));
    expect(
      done.body.jobs.every((j: { result: { uncertainty: { samples: number } } }) => j.result.uncertainty.samples === 3),
    ).toBe(true);
  }, 60_000);

  it('answers a retried bulk submission with the same Idempotency-Key with the first batch, and enqueues nothing more', async () => {
    const body = (imgs: Buffer[]) => JSON.stringify({ images: imgs.map((d) => d.toString('base64')) });
    const send = (imgs: Buffer[], key: string) =>
      request(`${base}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: body(imgs),
      });
    const key = `bulk-${Date.now()}`;
    const first = await send(digits, key);
    expect(first.status).toBe(202);
    const q = new Queue(queue, { connection: { url: REDIS_URL } });
    try {
      const count = () => q.getJobCountByTypes('wait', 'prioritized', 'active', 'completed', 'failed');
      const before = await count();
      const again = await send(digits, key);
      expect(again.status).toBe(202);
      expectMatchesSpec('/v1/jobs', 'post', again);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.jobs.map((j: { id: string }) => j.id)).toEqual(
        first.body.jobs.map((j: { id: string }) => j.id),
      );
      // The same key with other images is another request: refused, not answered with the first batch.
      const other = await send([digits[0]!, digits[1]!], key);
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await count()).toBe(before);
    } finally {
      await q.close();
    }
  }, 60_000);

  it('accepts a JSON images array, and refuses the whole submission naming the bad image', async () => {
    const json = await request(`${base}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ images: digits.map((d) => d.toString('base64')), priority: 'low' }),
    });
    expect(json.status).toBe(202);
    expectMatchesSpec('/v1/jobs', 'post', json);
    expect(json.body.jobs).toHaveLength(3);

    const q = new Queue(queue, { connection: { url: REDIS_URL } });
    try {
      const before = (await q.getJobCountByTypes('wait', 'prioritized', 'active', 'completed', 'failed')) as number;
      const bad = await request(`${base}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          images: [digits[0]!.toString('base64'), Buffer.from('not an image').toString('base64')],
        }),
      });
      expect(bad.status).toBe(415);
      expect(bad.body.error.message).toMatch(/^image 1: /);
      expectMatchesSpec('/v1/jobs', 'post', bad);
      expect(await q.getJobCountByTypes('wait', 'prioritized', 'active', 'completed', 'failed')).toBe(before);
    } finally {
      await q.close();
    }
    const unknown = await request(`${base}/v1/batches/00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
    expectMatchesSpec('/v1/batches/{id}', 'get', unknown);
  }, 60_000);
});
