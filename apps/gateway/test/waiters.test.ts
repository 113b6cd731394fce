import { createLogger } from '@mserve/common';
import { CompletionWaiters } from '../src/waiters';
import { REDIS_URL, uniqueQueue } from '@mserve/testkit';
import { QUEUE_PREFIX } from '@mserve/contracts';
import { Queue, UnrecoverableError, Worker } from 'bullmq';

const logger = createLogger('test', 'silent');

describe('CompletionWaiters', () => {
  it('ends a wait through the periodic re-check when no completion event ever arrives', async () => {
    const finished = new Set<string>();
    const waiters = new CompletionWaiters(
      {
        connection: { url: REDIS_URL, maxRetriesPerRequest: null },
        prefix: QUEUE_PREFIX,
        queueNames: [uniqueQueue('waiters')],
        recheckMs: 100,
      },
      async (ids) => ids.filter((id) => finished.has(id)),
      logger,
    );
    try {
      await waiters.ready();
      const t0 = Date.now();
      const wait = waiters.wait('job-without-event', 10_000);
      const other = waiters.wait('still-running', 400);
      setTimeout(() => finished.add('job-without-event'), 150);
      await expect(wait.done).resolves.toEqual({ kind: 'ended' });
      expect(Date.now() - t0).toBeLessThan(1000);
      await expect(other.done).resolves.toEqual({ kind: 'timeout' });
      expect(waiters.size).toBe(0);
    } finally {
      await waiters.close();
    }
  });

  it('releases a cancelled wait at once and forgets it', async () => {
    const waiters = new CompletionWaiters(
      {
        connection: { url: REDIS_URL, maxRetriesPerRequest: null },
        prefix: QUEUE_PREFIX,
        queueNames: [uniqueQueue('waiters')],
        recheckMs: 1000,
      },
      async () => [],
      logger,
    );
    try {
      const wait = waiters.wait('x', 60_000);
      expect(waiters.size).toBe(1);
      wait.cancel();
      await expect(wait.done).resolves.toEqual({ kind: 'timeout' });
      expect(waiters.size).toBe(0);
    } finally {
      await waiters.close();
    }
  });

  it('hands the waiter the return value or failure reason carried by the completion event of any of its queues', async () => {
    const queueName = uniqueQueue('waiters');
    const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
    const waiters = new CompletionWaiters(
      {
        connection: { url: REDIS_URL, maxRetriesPerRequest: null },
        prefix: QUEUE_PREFIX,
        queueNames: [uniqueQueue('other'), queueName],
        recheckMs: 60_000,
      },
      async () => [],
      logger,
    );
    const queue = new Queue(queueName, { connection, prefix: QUEUE_PREFIX });
    const worker = new Worker(
      queueName,
      async (job) => {
        if (job.data.fail) throw new UnrecoverableError('IMAGE_UNDECODABLE: broken');
        return { digit: job.data.n };
      },
      { connection, prefix: QUEUE_PREFIX },
    );
    try {
      await waiters.ready();
      const ok = waiters.wait('ok-1', 10_000);
      const bad = waiters.wait('bad-1', 10_000);
      const t0 = Date.now();
      await queue.add('x', { n: 7 }, { jobId: 'ok-1' });
      await queue.add('x', { fail: true }, { jobId: 'bad-1' });
      const done = await ok.done;
      expect(done).toMatchObject({ kind: 'completed', returnvalue: { digit: 7 } });
      expect(await bad.done).toMatchObject({ kind: 'failed', reason: 'IMAGE_UNDECODABLE: broken' });
      const at = (done as { at: number }).at;
      expect(at).toBeGreaterThanOrEqual(t0 - 5);
      expect(at).toBeLessThanOrEqual(Date.now());
      expect(waiters.size).toBe(0);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await waiters.close();
    }
  });

  it('hears the completion events of queues under its own key prefix', async () => {
    const queueName = uniqueQueue('waiters');
    const prefix = `it-w-${process.pid}`;
    const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
    const waiters = new CompletionWaiters(
      {
        connection: { url: REDIS_URL, maxRetriesPerRequest: null },
        prefix,
        queueNames: [queueName],
        recheckMs: 60_000,
      },
      async () => [],
      logger,
    );
    const queue = new Queue(queueName, { connection, prefix });
    const worker = new Worker(queueName, async () => 'done', { connection, prefix });
    try {
      await waiters.ready();
      const wait = waiters.wait('p-1', 10_000);
      await queue.add('x', {}, { jobId: 'p-1' });
      expect(await wait.done).toMatchObject({ kind: 'completed', returnvalue: 'done' });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await waiters.close();
    }
  });
});
