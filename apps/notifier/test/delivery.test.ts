import { verifyWebhook, WebhookVerificationError } from '@mserve/client';
import { enqueueWebhook, getDeliveryState, type DeadLetter } from '@mserve/webhooks';
import {
  ADMIN_TOKEN,
  adminFetch,
  eventually,
  getJson,
  isolatedQueue,
  newSecret,
  startNotifierProcess,
  startReceiver,
  writeReport,
  type NotifierProcess,
  type Receiver,
} from './harness';

describe('notifier delivery (real notifier process, real Redis, receiver on loopback)', () => {
  const { queue, prefix, name } = isolatedQueue();
  const [oldSecret, newSecretValue] = [newSecret(), newSecret()];
  let notifier: NotifierProcess;
  const receivers: Receiver[] = [];
  const report: Record<string, unknown> = { retrySchedule: '100ms,200ms,300ms,400ms', jitter: 0.1 };

  beforeAll(async () => {
    notifier = await startNotifierProcess({
      QUEUE_PREFIX: prefix,
      WEBHOOK_QUEUE_NAME: name,
      WEBHOOK_SECRETS: `${newSecretValue},${oldSecret}`,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms,400ms',
      WEBHOOK_RETRY_JITTER: '0.1',
    });
  });

  afterAll(async () => {
    writeReport('delivery', report);
    notifier.kill('SIGTERM');
    await notifier.exited;
    await Promise.all(receivers.map((r) => r.close()));
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('delivers exactly once to a receiver that fails three times, with one webhook-id and valid signatures', async () => {
    const statuses = [500, 302, 429];
    const receiver = await startReceiver((n) => {
      const headers: Record<string, string> = n === 2 ? { 'retry-after': '1' } : { location: 'http://10.0.0.1/' };
      return n < statuses.length ? { status: statuses[n] ?? 500, headers } : { status: 204 };
    });
    receivers.push(receiver);
    const payload = { id: 'job-a', status: 'completed', result: { label: 7 } };
    await enqueueWebhook(queue, { jobId: 'job-a', event: 'completed', url: receiver.url, payload, requestId: 'req-1' });

    const state = await eventually(async () => {
      const s = await getDeliveryState(queue, 'job-a');
      return s?.state === 'delivered' ? s : null;
    });
    expect(state).toEqual({ state: 'delivered', attempts: 4, lastStatus: 204, nextAttemptAt: null });
    // Nothing more arrives after the success.
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 302, 429, 204]);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(['msg_completed_job-a']));
    expect(receiver.received.every((r) => r.headers['x-request-id'] === 'req-1')).toBe(true);
    // Retry-After: 1 on the 429 was honoured although the schedule said 300 ms.
    const gap = (receiver.received[3]?.at ?? 0) - (receiver.received[2]?.at ?? 0);
    report['failThreeTimes'] = {
      answered: receiver.received.map((r) => r.answered),
      gapsMs: receiver.received.slice(1).map((r, i) => r.at - (receiver.received[i]?.at ?? 0)),
      webhookIds: [...new Set(receiver.received.map((r) => r.headers['webhook-id']))],
      state,
    };
    expect(gap).toBeGreaterThanOrEqual(950);

    const last = receiver.received[3];
    if (!last) throw new Error('no final request');
    // Both secrets sign (rotation): a receiver knowing only the old one still verifies.
    expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const verified = verifyWebhook(last.headers, last.body, [oldSecret]);
    expect(verified.payload).toMatchObject({ type: 'job.completed', data: payload });
    expect(verifyWebhook(last.headers, last.body, newSecretValue).id).toBe('msg_completed_job-a');
    // Every attempt carried the same bytes, each freshly signed.
    for (const r of receiver.received)
      expect(verifyWebhook(r.headers, r.body, [oldSecret]).id).toBe('msg_completed_job-a');

    const reason = (fn: () => unknown): string => {
      try {
        fn();
        return 'accepted';
      } catch (e) {
        return (e as WebhookVerificationError).reason;
      }
    };
    expect(reason(() => verifyWebhook(last.headers, last.body.replace('7', '8'), [oldSecret]))).toBe('bad-signature');
    expect(reason(() => verifyWebhook(last.headers, last.body, [newSecret()]))).toBe('bad-signature');
    const later = Date.now() + 301_000;
    expect(reason(() => verifyWebhook(last.headers, last.body, [oldSecret], { now: later }))).toBe('stale-timestamp');
  });

  it('dead-letters a delivery after the last scheduled attempt, lists it, and replays it on request', async () => {
    let fixed = false;
    const receiver = await startReceiver(() => ({ status: fixed ? 200 : 500 }));
    receivers.push(receiver);
    await enqueueWebhook(queue, { jobId: 'job-dead', event: 'failed', url: receiver.url, payload: { id: 'job-dead' } });
    const state = await eventually(async () => {
      const s = await getDeliveryState(queue, 'job-dead');
      return s?.state === 'dead' ? s : null;
    });
    // Schedule of 4 retries: 5 attempts, then nothing more.
    expect(state).toMatchObject({ state: 'dead', attempts: 5, lastStatus: 500 });
    report['exhausted'] = { requests: receiver.received.length, state };
    expect(receiver.received).toHaveLength(5);
    const list = (await getJson(notifier.port, '/dead-letters')) as { total: number; items: DeadLetter[] };
    const item = list.items.find((d) => d.jobId === 'job-dead');
    expect(item).toMatchObject({ event: 'failed', url: receiver.url, attempts: 5, lastStatus: 500 });
    expect(item?.reason).toMatch(/retries exhausted after 5 attempts/);

    // The receiver is fixed; an operator replays the dead letter.
    fixed = true;
    const replay = await adminFetch(notifier.port, `/dead-letters/${item?.deliveryId}/retry`, { method: 'POST' });
    expect(replay.status).toBe(202);
    const after = await eventually(async () => {
      const s = await getDeliveryState(queue, 'job-dead');
      return s?.state === 'delivered' ? s : null;
    });
    expect(after).toMatchObject({ attempts: 6, lastStatus: 200 });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const missing = await adminFetch(notifier.port, '/dead-letters/nope/retry', { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('shows a delivery waiting out a Retry-After as retrying, with the time of the next attempt', async () => {
    const receiver = await startReceiver(() => ({ status: 503, headers: { 'retry-after': '30' } }));
    receivers.push(receiver);
    const before = Date.now();
    await enqueueWebhook(queue, { jobId: 'job-later', event: 'completed', url: receiver.url, payload: {} });
    const state = await eventually(async () => {
      const s = await getDeliveryState(queue, 'job-later');
      return s?.state === 'retrying' ? s : null;
    });
    expect(state).toMatchObject({ attempts: 1, lastStatus: 503 });
    const next = Date.parse(state.nextAttemptAt ?? '');
    expect(next - before).toBeGreaterThanOrEqual(29_000);
    expect(next - Date.now()).toBeLessThanOrEqual(30_000);
    expect(receiver.received).toHaveLength(1);
  });

  it('stops at the first 410 Gone', async () => {
    const receiver = await startReceiver(() => ({ status: 410 }));
    receivers.push(receiver);
    await enqueueWebhook(queue, { jobId: 'job-gone', event: 'completed', url: receiver.url, payload: {} });
    await eventually(async () => (await getDeliveryState(queue, 'job-gone'))?.state === 'dead');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(1);
    expect(await getDeliveryState(queue, 'job-gone')).toMatchObject({ attempts: 1, lastStatus: 410 });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const { queue: q2, prefix: p2 } = isolatedQueue();
    const slow = await startNotifierProcess({
      QUEUE_PREFIX: p2,
      WEBHOOK_SECRETS: oldSecret,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '50ms',
      WEBHOOK_TIMEOUT_MS: '300',
    });
    const receiver = await startReceiver(() => 'hang');
    receivers.push(receiver);
    try {
      await enqueueWebhook(q2, { jobId: 'job-slow', event: 'completed', url: receiver.url, payload: {} });
      const state = await eventually(async () => {
        const s = await getDeliveryState(q2, 'job-slow');
        return s?.state === 'dead' ? s : null;
      });
      expect(state).toMatchObject({ attempts: 2, lastStatus: null });
      const dead = (await getJson(slow.port, '/dead-letters')) as { items: DeadLetter[] };
      expect(dead.items[0]?.reason).toMatch(/no response within 300 ms/);
    } finally {
      slow.kill('SIGTERM');
      await slow.exited;
      await q2.obliterate({ force: true });
      await q2.close();
    }
  });

  it('shows and replays dead letters only with the admin token (401 without or with a wrong one)', async () => {
    const base = `http://127.0.0.1:${notifier.port}`;
    const bare = await fetch(`${base}/dead-letters`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await bare.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const wrong = { authorization: `Bearer ${ADMIN_TOKEN}x` };
    expect((await fetch(`${base}/dead-letters`, { headers: wrong })).status).toBe(401);
    expect((await fetch(`${base}/dead-letters/x/retry`, { method: 'POST', headers: wrong })).status).toBe(401);
    expect((await adminFetch(notifier.port, '/dead-letters')).status).toBe(200);
    // Probes and metrics stay open.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('has no dead-letter endpoints at all when NOTIFIER_ADMIN_TOKEN is unset', async () => {
    const { queue: q3, prefix: p3 } = isolatedQueue();
    const open = await startNotifierProcess({ QUEUE_PREFIX: p3, WEBHOOK_SECRETS: oldSecret, NOTIFIER_ADMIN_TOKEN: '' });
    try {
      const res = await adminFetch(open.port, '/dead-letters');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect((await adminFetch(open.port, '/dead-letters/x/retry', { method: 'POST' })).status).toBe(404);
    } finally {
      open.kill('SIGTERM');
      await open.exited;
      await q3.obliterate({ force: true });
      await q3.close();
    }
  });

  it('serves health and Prometheus metrics on its HTTP port', async () => {
    expect(await getJson(notifier.port, '/healthz')).toEqual({ status: 'ok' });
    expect(await getJson(notifier.port, '/readyz')).toEqual({ status: 'ready' });
    const text = await (await fetch(`http://127.0.0.1:${notifier.port}/metrics`)).text();
    expect(text).toMatch(/webhook_deliveries_total\{result="delivered"\} [1-9]/);
    expect(text).toMatch(/webhook_queue_jobs\{state="failed"\} [1-9]/);
  });
});
