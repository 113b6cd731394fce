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
  writeReport,
  type Proc,
} from '@mserve/testkit';
import { expectMatchesSpec } from './openapi-check';

const queue = uniqueQueue('priority');
const env = { REDIS_URL, QUEUE_NAME: queue };
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
const procs: Proc[] = [];
let base = '';
let worker: Proc;

beforeAll(async () => {
  const [g, w] = await Promise.all([startGateway(env), startWorker(env)]);
  procs.push(g.proc);
  worker = w.proc;
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all([...procs, worker].map((p) => p?.stop()));
  await dropQueue(queue);
});

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1] ?? NaN;

/** Completion latency (submit to completed, ms) of `n` high-priority jobs, `parallel` at a time. */
async function highLatencies(n: number, parallel: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, async () => {
        const t0 = Date.now();
        const res = await postImage(base, '/v1/jobs', digit, '?samples=1&priority=high');
        const done = await request(`${base}/v1/jobs/${res.body.id}?wait=30`);
        expect(done.body.status).toBe('completed');
        return done.at - t0;
      }),
    );
    out.push(...batch);
  }
  return out;
}

describe('priority', () => {
  it('refuses an unknown priority with a 400 naming the field', async () => {
    const res = await postImage(base, '/v1/jobs', digit, '?priority=urgent');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/priority/);
    expectMatchesSpec('/v1/jobs', 'post', res);
  });

  it('serves high-priority jobs ahead of a 2,000-job low backlog, and reports their p99 against the idle value', async () => {
    await highLatencies(8, 4); // warm-up: first passes of the model are slower
    const idle = await highLatencies(60, 4);
    // The backlog is queued with the worker stopped, so all 2,000 wait when it comes back; each low job asks for
    // more samples than a high one, so the backlog lasts while the high jobs are measured.
    await worker.stop();
    const low: string[] = [];
    for (let i = 0; i < 2000; i += 200) {
      const ids = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const res = await postImage(base, '/v1/jobs', digit, '?samples=10&priority=low');
          expect(res.status).toBe(202);
          return res.body.id as string;
        }),
      );
      low.push(...ids);
    }
    worker = (await startWorker(env)).proc;
    const backlogBefore = (await request(`${base}/v1/jobs/${low[low.length - 1]}`)).body.status;
    const loaded = await highLatencies(60, 4);
    const lowStillQueued = (await request(`${base}/v1/jobs/${low[low.length - 1]}`)).body.status;
    const [idleP99, loadedP99] = [p99(idle), p99(loaded)];
    writeReport('priority', {
      lowBacklog: low.length,
      samples: { high: 1, low: 10 },
      highJobs: loaded.length,
      highP99IdleMs: idleP99,
      highP99BehindBacklogMs: loadedP99,
      ratio: Number((loadedP99 / idleP99).toFixed(2)),
      // The target; reported, not asserted: a high job runs in a pass of its own but still waits for the
      // pass in flight, and inside the full suite other suites load the same two cores (see the gateway README).
      withinTwoX: loadedP99 <= 2 * idleP99,
      lastLowJobWhenMeasured: lowStillQueued,
    });
    // The backlog was really there while the high jobs ran, and they overtook it: the last low job still waited
    // when the last high job had completed (FIFO would have run all 2,000 first).
    expect(backlogBefore).toBe('queued');
    expect(lowStillQueued).toBe('queued');
  }, 300_000);
});
