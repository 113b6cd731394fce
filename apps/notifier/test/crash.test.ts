import { verifyWebhook } from '@mserve/client';
import { enqueueWebhook, getDeliveryState } from '@mserve/webhooks';
import { eventually, isolatedQueue, newSecret, startNotifierProcess, startReceiver, writeReport } from './harness';

describe('notifier crash and graceful stop', () => {
  const report: Record<string, unknown> = { lockDurationMs: 1000, stalledIntervalMs: 300 };
  afterAll(() => writeReport('crash', report));
  const secret = newSecret();
  const env = (prefix: string): Record<string, string> => ({
    QUEUE_PREFIX: prefix,
    WEBHOOK_SECRETS: secret,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms',
    // A crashed notifier's delivery is taken over quickly in the test.
    LOCK_DURATION_MS: '1000',
    STALLED_INTERVAL_MS: '300',
  });

  it('completes a delivery whose notifier was SIGKILLed mid-request, with one success and the same webhook-id', async () => {
    const { queue, prefix } = isolatedQueue();
    // The first request hangs until the notifier dies; later ones succeed.
    const receiver = await startReceiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const first = await startNotifierProcess(env(prefix));
    try {
      await enqueueWebhook(queue, { jobId: 'job-crash', event: 'completed', url: receiver.url, payload: { n: 1 } });
      await receiver.waitFor(1);
      expect(await getDeliveryState(queue, 'job-crash')).toMatchObject({ state: 'delivering', attempts: 1 });
      const killedAt = Date.now();
      first.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      // The real notifier (not just the tsx wrapper) is gone: its connection to the receiver dropped.
      await eventually(async () => receiver.received[0]?.aborted, 5000);

      const second = await startNotifierProcess(env(prefix));
      try {
        const state = await eventually(async () => {
          const s = await getDeliveryState(queue, 'job-crash');
          return s?.state === 'delivered' ? s : null;
        });
        report['sigkillMidDelivery'] = {
          recoveredAfterKillMs: (receiver.received[1]?.at ?? 0) - killedAt,
          answered: receiver.received.map((r) => r.answered),
          state,
        };
        expect(state).toMatchObject({ attempts: 2, lastStatus: 200 });
        // Let any duplicate show up before counting.
        await new Promise((r) => setTimeout(r, 1500));
        expect(receiver.received.map((r) => r.answered)).toEqual([null, 200]);
        const ids = receiver.received.map((r) => verifyWebhook(r.headers, r.body, secret).id);
        expect(ids).toEqual(['msg_completed_job-crash', 'msg_completed_job-crash']);
      } finally {
        second.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      first.kill('SIGKILL');
      await receiver.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('finishes an in-flight delivery on SIGTERM before exiting 0', async () => {
    const { queue, prefix } = isolatedQueue();
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 1500 }));
    const notifier = await startNotifierProcess(env(prefix));
    try {
      await enqueueWebhook(queue, { jobId: 'job-term', event: 'completed', url: receiver.url, payload: {} });
      await receiver.waitFor(1);
      notifier.kill('SIGTERM');
      expect(await notifier.exited).toBe(0);
      // The process only exited after the receiver answered and the delivery was recorded.
      expect(receiver.received.map((r) => r.answered)).toEqual([200]);
      expect(await getDeliveryState(queue, 'job-term')).toMatchObject({ state: 'delivered', attempts: 1 });
    } finally {
      notifier.kill('SIGKILL');
      await receiver.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
