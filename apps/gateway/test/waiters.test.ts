import { createLogger } from '@mserve/common';
import { CompletionWaiters } from '../src/waiters';
import { REDIS_URL, uniqueQueue } from '@mserve/testkit';

const logger = createLogger('test', 'silent');

describe('CompletionWaiters', () => {
  it('ends a wait through the periodic re-check when no completion event ever arrives', async () => {
    const finished = new Set<string>();
    const waiters = new CompletionWaiters(
      { redisUrl: REDIS_URL, queueName: uniqueQueue('waiters'), recheckMs: 100 },
      async (ids) => ids.filter((id) => finished.has(id)),
      logger,
    );
    try {
      await waiters.ready();
      const t0 = Date.now();
      const wait = waiters.wait('job-without-event', 10_000);
      const other = waiters.wait('still-running', 400);
      setTimeout(() => finished.add('job-without-event'), 150);
      await expect(wait.done).resolves.toBe(true);
      expect(Date.now() - t0).toBeLessThan(1000);
      await expect(other.done).resolves.toBe(false);
      expect(waiters.size).toBe(0);
    } finally {
      await waiters.close();
    }
  });

  it('releases a cancelled wait at once and forgets it', async () => {
    const waiters = new CompletionWaiters(
      { redisUrl: REDIS_URL, queueName: uniqueQueue('waiters'), recheckMs: 1000 },
      async () => [],
      logger,
    );
    try {
      const wait = waiters.wait('x', 60_000);
      expect(waiters.size).toBe(1);
      wait.cancel();
      await expect(wait.done).resolves.toBe(false);
      expect(waiters.size).toBe(0);
    } finally {
      await waiters.close();
    }
  });
});
