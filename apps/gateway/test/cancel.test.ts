import { WEBHOOK_QUEUE, deliveryJobId } from '@mserve/webhooks';
import { Queue } from 'bullmq';
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
import { expectMatchesSpec } from './openapi-check';

const queue = uniqueQueue('cancel');
const env = { REDIS_URL, QUEUE_NAME: queue };
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
const procs: Proc[] = [];
let base = '';

beforeAll(async () => {
  const g = await startGateway({ ...env, WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
  procs.push(g.proc);
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  const hooks = new Queue(WEBHOOK_QUEUE, { connection: { url: REDIS_URL } });
  await hooks.obliterate({ force: true }).catch(() => undefined);
  await hooks.close();
  await dropQueue(queue);
});

const submit = async (query = '?samples=1', body = digit) => {
  const res = await postImage(base, '/v1/jobs', body, query);
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const cancel = (id: string, method: 'POST' | 'DELETE' = 'POST') =>
  request(`${base}/v1/jobs/${id}${method === 'POST' ? '/cancel' : ''}`, { method });

/** The ids the worker ran, from its own log (one `job completed` line per inference it returned). */
function ranBy(worker: Proc): Set<string> {
  const ids = new Set<string>();
  for (const line of worker.output().split('\n')) {
    if (!line.includes('"job completed"')) continue;
    const m = /"jobId":"([^"]+)"/.exec(line);
    if (m?.[1]) ids.add(m[1]);
  }
  return ids;
}

describe('cancel', () => {
  it('ends a queued job canceled at once, idempotently, with its webhook event; DELETE does the same', async () => {
    const webhook = JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['canceled'] });
    const id = await submit(`?samples=1&webhook=${encodeURIComponent(webhook)}`);
    const first = await cancel(id);
    expect(first.status).toBe(200);
    expectMatchesSpec('/v1/jobs/{id}/cancel', 'post', first);
    expect(first.body).toMatchObject({ canceled: true, job: { id, status: 'canceled', error: { code: 'CANCELED' } } });
    const again = await cancel(id, 'DELETE');
    expect(again.status).toBe(200);
    expectMatchesSpec('/v1/jobs/{id}', 'delete', again);
    expect(again.body.canceled).toBe(true);
    const read = await request(`${base}/v1/jobs/${id}`);
    expect(read.body.status).toBe('canceled');
    expectMatchesSpec('/v1/jobs/{id}', 'get', read);
    const hooks = new Queue(WEBHOOK_QUEUE, { connection: { url: REDIS_URL } });
    try {
      expect(await hooks.getJob(deliveryJobId(id, 'canceled'))).toBeDefined();
    } finally {
      await hooks.close();
    }
  });

  it('refuses to cancel an unknown job (404) or one that already completed (409 JOB_FINISHED)', async () => {
    const unknown = await cancel('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expectMatchesSpec('/v1/jobs/{id}/cancel', 'post', unknown);
    const worker = await startWorker(env);
    procs.push(worker.proc);
    const id = await submit();
    const done = await request(`${base}/v1/jobs/${id}?wait=20`);
    expect(done.body.status).toBe('completed');
    const late = await cancel(id);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('JOB_FINISHED');
    expectMatchesSpec('/v1/jobs/{id}/cancel', 'post', late);
    await worker.proc.stop();
  }, 90_000);

  it('1,000 queued jobs, 500 canceled at random while a worker drains: no canceled job runs, none is lost', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1000; i += 100) {
      ids.push(...(await Promise.all(Array.from({ length: 100 }, () => submit()))));
    }
    const toCancel = [...ids].sort(() => Math.random() - 0.5).slice(0, 500);
    const worker = await startWorker(env);
    procs.push(worker.proc);
    // Cancel while the worker drains: some are queued, some running, some done.
    const answers = await Promise.all(toCancel.map((id) => cancel(id)));
    const canceled = new Set<string>();
    let finishedFirst = 0;
    answers.forEach((res, i) => {
      expect([200, 409]).toContain(res.status);
      if (res.status === 409) {
        expect(res.body.error.code).toBe('JOB_FINISHED');
        finishedFirst++;
      } else if (res.body.canceled) canceled.add(toCancel[i] as string);
      else finishedFirst++;
    });
    const finals = new Map<string, string>();
    await waitUntil(
      async () => {
        const pending = ids.filter((id) => finals.get(id) !== 'completed' && finals.get(id) !== 'canceled');
        const reads = await Promise.all(pending.map((id) => request(`${base}/v1/jobs/${id}`)));
        reads.forEach((r, i) => {
          expect(r.status).toBe(200);
          finals.set(pending[i] as string, r.body.status as string);
        });
        return reads.every((r) => r.body.status === 'completed' || r.body.status === 'canceled');
      },
      120_000,
      'every job final',
    );
    const ran = ranBy(worker.proc);
    const endedCanceled = ids.filter((id) => finals.get(id) === 'canceled');
    expect(new Set(endedCanceled)).toEqual(canceled);
    for (const id of endedCanceled) expect(ran.has(id)).toBe(false);
    // Every job not canceled ran exactly once and completed.
    expect(ran.size).toBe(ids.length - canceled.size);
    writeReport('cancel', {
      jobs: ids.length,
      cancelRequests: toCancel.length,
      canceled: canceled.size,
      finishedBeforeCancel: finishedFirst,
      runByWorker: ran.size,
      canceledThatRan: endedCanceled.filter((id) => ran.has(id)).length,
    });
  }, 240_000);
});
