import { assertDeliverableUrl, enqueueWebhook, getDeliveryState, type DeadLetter } from '@mserve/webhooks';
import {
  eventually,
  getJson,
  isolatedQueue,
  newSecret,
  startNotifierProcess,
  startReceiver,
  writeReport,
  type NotifierProcess,
} from './harness';

/**
 * Every internal target of the issue, refused at submission and again at connect time by a notifier with an empty
 * allowlist; a dual-stack listener on the port the loopback forms point at proves no connection was made.
 */
describe('SSRF guard end to end', () => {
  const { queue, prefix, name } = isolatedQueue();
  let notifier: NotifierProcess;
  let listener: Awaited<ReturnType<typeof startReceiver>>;
  let targets: string[];

  beforeAll(async () => {
    listener = await startReceiver(() => ({ status: 200 }), '::');
    const p = listener.port;
    targets = [
      `http://127.0.0.1:${p}/hook`,
      `http://[::1]:${p}/hook`,
      `http://10.0.0.1:${p}/hook`,
      `http://172.16.0.1:${p}/hook`,
      `http://192.168.1.1:${p}/hook`,
      `http://169.254.169.254:${p}/latest/meta-data/`,
      `http://100.64.0.1:${p}/hook`,
      `http://0.0.0.0:${p}/hook`,
      `http://0x7f000001:${p}/hook`,
      `http://2130706433:${p}/hook`,
      `http://[::ffff:127.0.0.1]:${p}/hook`,
      `http://localhost:${p}/hook`,
      `file:///etc/passwd`,
      `gopher://127.0.0.1:${p}/_hello`,
    ];
    notifier = await startNotifierProcess({
      QUEUE_PREFIX: prefix,
      WEBHOOK_QUEUE_NAME: name,
      WEBHOOK_SECRETS: newSecret(),
      WEBHOOK_ALLOW_HOSTS: '',
      WEBHOOK_RETRY_SCHEDULE: '50ms,50ms',
    });
  });

  afterAll(async () => {
    notifier.kill('SIGTERM');
    await notifier.exited;
    await listener.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('has a listener that does see connections to the loopback forms (control)', async () => {
    const before = listener.connections();
    await fetch(`http://127.0.0.1:${listener.port}/control`);
    await fetch(`http://[::1]:${listener.port}/control`);
    await fetch(`http://0.0.0.0:${listener.port}/control`);
    expect(listener.connections() - before).toBe(3);
  });

  it('refuses every internal target at submission with WEBHOOK_URL_REFUSED (422)', async () => {
    const before = listener.connections();
    for (const url of targets) {
      await expect(assertDeliverableUrl(url, { allow: [] })).rejects.toMatchObject({
        code: 'WEBHOOK_URL_REFUSED',
        status: 422,
      });
    }
    expect(listener.connections()).toBe(before);
  });

  it('refuses every internal target again at connect time without opening a connection', async () => {
    const before = listener.connections();
    const requestsBefore = listener.received.length;
    await Promise.all(
      targets.map((url, i) => enqueueWebhook(queue, { jobId: `ssrf-${i}`, event: 'completed', url, payload: { i } })),
    );
    for (let i = 0; i < targets.length; i++) {
      const state = await eventually(async () => {
        const s = await getDeliveryState(queue, `ssrf-${i}`);
        return s?.state === 'dead' ? s : null;
      });
      // Refusal is final: one attempt, no HTTP status, no retries against an internal address.
      expect(state).toEqual({ state: 'dead', attempts: 1, lastStatus: null, nextAttemptAt: null });
    }
    const dead = (await getJson(notifier.port, '/dead-letters?limit=100')) as { items: DeadLetter[] };
    expect(dead.items).toHaveLength(targets.length);
    for (const d of dead.items) expect(d.reason).toMatch(/^WEBHOOK_URL_REFUSED: /);
    writeReport('ssrf', {
      targets,
      deadLetters: dead.items.length,
      reasons: dead.items.map((d) => d.reason),
      loopbackConnections: listener.connections() - before,
    });
    expect(listener.connections()).toBe(before);
    expect(listener.received.length).toBe(requestsBefore);
  });
});
