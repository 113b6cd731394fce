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

const queue = uniqueQueue('deadline');
const env = { REDIS_URL, QUEUE_NAME: queue };
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
const procs: Proc[] = [];
let base = '';

beforeAll(async () => {
  // A 3 s ceiling for every job: the MAX_QUEUE_TIME_S path, next to the per-job Cancel-After and deadline.
  const g = await startGateway({ ...env, MAX_QUEUE_TIME_S: '3' });
  procs.push(g.proc);
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  await dropQueue(queue);
});

/** Ids of the jobs a worker ran, from its own log. */
function ranBy(worker: Proc): Set<string> {
  const ids = new Set<string>();
  for (const line of worker.output().split('\n')) {
    const m = line.includes('"job completed"') ? /"jobId":"([^"]+)"/.exec(line) : null;
    if (m?.[1]) ids.add(m[1]);
  }
  return ids;
}

describe('deadlines with the worker stopped', () => {
  it('ends jobs past their deadline expired, and the returning worker does not run them', async () => {
    const submit = async (query: string, headers: Record<string, string> = {}) => {
      const res = await postImage(base, '/v1/jobs', digit, query, headers);
      expect(res.status).toBe(202);
      return res.body.id as string;
    };
    const byHeader = await Promise.all(
      Array.from({ length: 10 }, () => submit('?samples=1', { 'cancel-after': '1s' })),
    );
    const byParam = await Promise.all(Array.from({ length: 10 }, () => submit('?samples=1&deadline=1')));
    const byCeiling = await Promise.all(Array.from({ length: 10 }, () => submit('?samples=1')));
    const expiring = [...byHeader, ...byParam, ...byCeiling];
    await new Promise((r) => setTimeout(r, 3500));

    // Read while no worker runs: each of these reads ends its job expired.
    const readNow = expiring.filter((_, i) => i % 2 === 0);
    for (const id of readNow) {
      const res = await request(`${base}/v1/jobs/${id}`);
      expect(res.body).toMatchObject({ status: 'expired', error: { code: 'EXPIRED' } });
      expectMatchesSpec('/v1/jobs/{id}', 'get', res);
    }
    // The rest were never read: the returning worker takes them and ends them expired itself.
    const worker = await startWorker(env);
    procs.push(worker.proc);
    const fresh = await submit('?samples=1', { 'cancel-after': '5m' });
    const done = await request(`${base}/v1/jobs/${fresh}?wait=20`);
    expect(done.body.status).toBe('completed');
    await waitUntil(
      async () => {
        const reads = await Promise.all(expiring.map((id) => request(`${base}/v1/jobs/${id}`)));
        return reads.every((r) => r.body.status === 'expired');
      },
      30_000,
      'every late job expired',
    );
    const ran = ranBy(worker.proc);
    const ranLate = expiring.filter((id) => ran.has(id));
    expect(ranLate).toEqual([]);
    expect(ran.has(fresh)).toBe(true);
    writeReport('deadline', {
      expiring: expiring.length,
      expiredOnRead: readNow.length,
      ranAfterDeadline: ranLate.length,
    });
  }, 120_000);

  it('refuses a malformed Cancel-After or deadline with a 400 that names it', async () => {
    const header = await postImage(base, '/v1/jobs', digit, '', { 'cancel-after': 'tomorrow' });
    expect(header.status).toBe(400);
    expect(header.body.error.message).toMatch(/Cancel-After/);
    const param = await postImage(base, '/v1/jobs', digit, '?deadline=-1');
    expect(param.status).toBe(400);
    expect(param.body.error.message).toMatch(/deadline/);
    expectMatchesSpec('/v1/jobs', 'post', param);
  });
});
