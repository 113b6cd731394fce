import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { batchKey, batchWebhookKeys, recordBatchEnd } from './batch';

const redis = new IORedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
afterAll(() => redis.quit());

async function batch(ids: string[], webhook = true) {
  const id = randomUUID();
  const key = batchKey(`test-batch-${randomUUID()}`, 'q', id);
  await redis.set(key, JSON.stringify(ids), 'EX', 60);
  if (webhook)
    await redis.set(
      batchWebhookKeys(key).webhook,
      JSON.stringify({ url: 'http://h/x', events: ['completed'] }),
      'EX',
      60,
    );
  return { id, key };
}

describe('recording the ends of a batch’s jobs (real Redis)', () => {
  it('completes the batch exactly once, on the last job to end, with every job’s state in submission order', async () => {
    const { id, key } = await batch(['a', 'b', 'c']);
    expect(await recordBatchEnd(redis, key, id, 'b', 'failed')).toBeNull();
    expect(await recordBatchEnd(redis, key, id, 'a', 'completed')).toBeNull();
    // A job counted twice (re-run after a crash, or a cancel racing its worker) does not complete the batch.
    expect(await recordBatchEnd(redis, key, id, 'a', 'completed')).toBeNull();
    const done = await recordBatchEnd(redis, key, id, 'c', 'canceled');
    expect(done).toEqual({
      webhook: { url: 'http://h/x', events: ['completed'] },
      data: {
        id,
        counts: { completed: 1, failed: 1, canceled: 1 },
        jobs: [
          { id: 'a', status: 'completed' },
          { id: 'b', status: 'failed' },
          { id: 'c', status: 'canceled' },
        ],
      },
    });
    expect(await recordBatchEnd(redis, key, id, 'c', 'canceled')).toBeNull();
    expect(await redis.ttl(batchWebhookKeys(key).ended)).toBeGreaterThan(0);
  });

  it('records nothing for a batch without a batch webhook, or one that expired', async () => {
    const plain = await batch(['a'], false);
    expect(await recordBatchEnd(redis, plain.key, plain.id, 'a', 'completed')).toBeNull();
    expect(await redis.exists(batchWebhookKeys(plain.key).ended)).toBe(0);
    const gone = batchKey('test-batch-gone', 'q', randomUUID());
    expect(await recordBatchEnd(redis, gone, 'x', 'a', 'completed')).toBeNull();
  });
});
