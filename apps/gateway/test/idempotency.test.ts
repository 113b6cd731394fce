import { Queue } from 'bullmq';
import {
  REDIS_URL,
  closeHttp,
  dropQueue,
  postImage,
  sampleImages,
  startGateway,
  startWorker,
  uniqueQueue,
  waitUntil,
  writeReport,
  type Proc,
  type Res,
} from '@mserve/testkit';
import { expectMatchesSpec } from './openapi-check';

const queue = uniqueQueue('idem');
const env = { REDIS_URL, QUEUE_NAME: queue, SYNC_TIMEOUT_MS: '30000' };
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
const procs: Proc[] = [];
let q: Queue;

beforeAll(() => {
  q = new Queue(queue, { connection: { url: REDIS_URL } });
});

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  await q.close();
  await dropQueue(queue);
});

/** Ids of every job in the queue, whatever its state. */
async function jobIds(): Promise<string[]> {
  const jobs = await q.getJobs(['wait', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
  return jobs.map((j) => String(j.id));
}

/** The job id an answer names: the job's own, or the one a 409 says the first request is making. */
function idOf(res: Res): string | undefined {
  return (res.body?.id ?? res.body?.error?.details?.jobId) as string | undefined;
}

describe('Idempotency-Key across gateway processes', () => {
  it('creates exactly one job per key when two gateways race the same key 100 times', async () => {
    const [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
    procs.push(a.proc, b.proc);
    firstBase = a.base;
    const keys = Array.from({ length: 100 }, (_, i) => `race-${i}-${queue}`);
    const answers = await Promise.all(
      keys.map((key) =>
        Promise.all([a.base, b.base].map((base) => postImage(base, '/v1/jobs', digit, '', { 'idempotency-key': key }))),
      ),
    );
    let conflicts = 0;
    let replays = 0;
    for (const pair of answers) {
      for (const res of pair) {
        expect([202, 409]).toContain(res.status);
        if (res.status === 409) conflicts++;
        if (res.headers['idempotent-replayed'] === 'true') replays++;
        expectMatchesSpec('/v1/jobs', 'post', res);
      }
      const [first, second] = pair as [Res, Res];
      expect(idOf(first)).toBeDefined();
      expect(idOf(first)).toBe(idOf(second));
    }
    const ids = await jobIds();
    expect(ids).toHaveLength(keys.length);
    expect(new Set(ids)).toEqual(new Set(answers.map((pair) => idOf(pair[0] as Res))));

    // Once accepted, every retry from either gateway is a replay of the same job.
    const retries = await Promise.all(
      keys.slice(0, 10).map((key) => postImage(b.base, '/v1/jobs', digit, '', { 'idempotency-key': key })),
    );
    retries.forEach((res, i) => {
      expect(res.status).toBe(202);
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(res.body.id).toBe(idOf(answers[i]![0] as Res));
    });
    writeReport('idempotency-race', { keys: keys.length, gateways: 2, jobsCreated: ids.length, conflicts, replays });
  }, 120_000);

  it('refuses the same key with a different payload with 422, and a malformed key with 400', async () => {
    const base = await gatewayBase();
    const key = `mismatch-${queue}`;
    expect((await postImage(base, '/v1/jobs', digit, '?samples=5', { 'idempotency-key': key })).status).toBe(202);
    const other = await postImage(base, '/v1/jobs', digit, '?samples=6', { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expectMatchesSpec('/v1/jobs', 'post', other);
    const bad = await postImage(base, '/v1/jobs', digit, '', { 'idempotency-key': 'has space' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Idempotency-Key/);
  }, 30_000);

  it('answers a retry after the gateway was SIGKILLed during a synchronous wait with the original result', async () => {
    const first = await startGateway(env);
    const key = `killed-${queue}`;
    const before = new Set(await jobIds());
    // No worker yet: the prediction waits in the queue while its gateway dies.
    const pending = postImage(first.base, '/v1/predict', digit, '', { 'idempotency-key': key }).catch(() => null);
    let created: string | undefined;
    await waitUntil(
      async () => {
        created = (await jobIds()).find((id) => !before.has(id));
        return created !== undefined;
      },
      20_000,
      'the prediction job',
    );
    await first.proc.stop('SIGKILL');
    expect(await pending).toBeNull();

    const [second, worker] = await Promise.all([startGateway(env), startWorker(env)]);
    procs.push(second.proc, worker.proc);
    const retry = await postImage(second.base, '/v1/predict', digit, '', { 'idempotency-key': key });
    expect(retry.status).toBe(200);
    expectMatchesSpec('/v1/predict', 'post', retry);
    expect(retry.body.id).toBe(created);
    expect(retry.body.status).toBe('completed');
    const after = (await jobIds()).filter((id) => !before.has(id));
    expect(after).toEqual([created]);
  }, 120_000);
});

let firstBase: string | undefined;
/** A running gateway's base URL (the race test's first one, or a new one when run alone). */
async function gatewayBase(): Promise<string> {
  if (!firstBase) {
    const g = await startGateway(env);
    procs.push(g.proc);
    firstBase = g.base;
  }
  return firstBase;
}
