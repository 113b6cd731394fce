import { syncQueueName } from '@mserve/contracts';
import {
  REDIS_URL,
  closeHttp,
  postImage,
  request,
  sampleImages,
  startGateway,
  uniqueQueue,
  type Proc,
} from '@mserve/testkit';
import { Queue } from 'bullmq';

// Two stacks on one Redis with the same QUEUE_NAME, told apart by QUEUE_PREFIX alone. No worker: jobs stay queued.
const queue = uniqueQueue('prefix');
const prefixes = [`it-a-${process.pid}`, `it-b-${process.pid}`] as const;
const gateways: Array<{ proc: Proc; base: string }> = [];
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  gateways.push(
    ...(await Promise.all(
      prefixes.map((QUEUE_PREFIX) =>
        startGateway({ REDIS_URL, QUEUE_NAME: queue, QUEUE_PREFIX, MAX_QUEUE_DEPTH: '1' }),
      ),
    )),
  );
}, 90_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(gateways.map((g) => g.proc.stop()));
  for (const prefix of prefixes) {
    for (const name of [queue, syncQueueName(queue)]) {
      const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
  }
});

describe('QUEUE_PREFIX', () => {
  it('keeps the jobs and the backlog of two gateways on one Redis and queue name apart', async () => {
    const [a, b] = [gateways[0]!, gateways[1]!];
    const job = await postImage(a.base, '/v1/jobs', digit);
    expect(job.status).toBe(202);
    const id = job.body.id as string;
    expect((await request(`${a.base}/v1/jobs/${id}`)).body.status).toBe('queued');
    expect((await request(`${b.base}/v1/jobs/${id}`)).status).toBe(404);
    // A's backlog is full (MAX_QUEUE_DEPTH 1); B's queue is empty and still accepts.
    expect((await postImage(a.base, '/v1/jobs', digit)).status).toBe(429);
    expect((await postImage(b.base, '/v1/jobs', digit)).status).toBe(202);
    // The keys are where the prefix says.
    const qa = new Queue(queue, { connection: { url: REDIS_URL }, prefix: prefixes[0] });
    try {
      expect(await qa.getJob(id)).toBeDefined();
      expect(await qa.getWaitingCount()).toBe(1);
    } finally {
      await qa.close();
    }
  });
});
