import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { enqueueWebhook, getDeliveryState, listDeadLetters } from '../src/index';
import { deliveryJobId } from '../src/ids';

const connection = { host: '127.0.0.1', port: 6379 };

describe('enqueueWebhook', () => {
  const prefix = `test-wh-${randomUUID()}`;
  const queue = new Queue('webhooks', { connection, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('queues one delivery per (job, event) however often a retried worker calls it', async () => {
    for (let i = 0; i < 3; i++) {
      await enqueueWebhook(queue, { jobId: 'job:1', event: 'completed', url: 'https://x.example/', payload: { i } });
    }
    expect(await queue.getWaitingCount()).toBe(1);
    const job = await queue.getJob(deliveryJobId('job:1', 'completed'));
    // The first body wins: retries of the enqueuer cannot change what was signed.
    expect(JSON.parse(job?.data.body)).toMatchObject({ type: 'job.completed', data: { i: 0 } });
    expect(job?.data.messageId).toBe('msg_completed_job%3A1');
  });

  it('reports pending before any attempt and null for a job without a delivery', async () => {
    expect(await getDeliveryState(queue, 'job:1')).toEqual({
      state: 'pending',
      attempts: 0,
      lastStatus: null,
      nextAttemptAt: null,
    });
    expect(await getDeliveryState(queue, 'nope')).toBeNull();
    expect(await listDeadLetters(queue)).toEqual([]);
  });
});
