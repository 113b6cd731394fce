import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import IORedis from 'ioredis';
import { freePort, resolveAssetsDir } from '@mserve/common';
import { launch, type Launch } from './launch';

const REDIS_URL = 'redis://127.0.0.1:6379';

interface Delivery {
  id: string;
  jobId: string;
  verified: boolean;
}

/** A webhook receiver on loopback that checks each delivery's Standard Webhooks signature against `secret`. */
async function receiver(secret: string): Promise<{ url: string; got: Delivery[]; close: () => Promise<void> }> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const got: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const [id, ts] = [String(req.headers['webhook-id']), String(req.headers['webhook-timestamp'])];
      const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
      const verified = String(req.headers['webhook-signature']).split(' ').includes(`v1,${sig}`);
      got.push({ id, jobId: (JSON.parse(body) as { data: { id: string } }).data.id, verified });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function submit(base: string, image: Buffer, hook: string): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([image], { type: 'image/png' }), 'digit.png');
  form.append('webhook', JSON.stringify({ url: hook, events: ['completed'] }));
  const res = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two pnpm start stacks on one Redis', () => {
  it('keep their own queues: every webhook delivery goes to its own stack and none is dead-lettered', async () => {
    const image = readFileSync(path.join(resolveAssetsDir(), 'data/images/5.png'));
    const secrets = [0, 1].map(() => `whsec_${randomBytes(24).toString('base64')}`);
    const tokens = [0, 1].map(() => randomBytes(16).toString('hex'));
    const receivers = await Promise.all(secrets.map((s) => receiver(s)));
    const ports = await Promise.all([freePort(), freePort()]);
    const notifierPorts = await Promise.all([freePort(), freePort()]);
    const stacks: Launch[] = [0, 1].map((i) =>
      launch({
        PORT: String(ports[i]),
        REDIS_URL,
        WORKER_HTTP_PORT: '0',
        NOTIFIER_HTTP_PORT: String(notifierPorts[i]),
        WEBHOOK_SECRETS: secrets[i] ?? '',
        NOTIFIER_ADMIN_TOKEN: tokens[i] ?? '',
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        // Short retries: a delivery taken by the wrong notifier would fail verification and dead-letter quickly.
        WEBHOOK_RETRY_SCHEDULE: '100ms',
      }),
    );
    const redis = new IORedis(REDIS_URL);
    try {
      const urls = await Promise.all(stacks.map((s) => s.ready()));
      expect(stacks[0]?.output()).toContain(`namespace "mserve-${ports[0]}"`);
      expect(stacks[1]?.output()).toContain(`namespace "mserve-${ports[1]}"`);

      // A third launcher told to use the first stack's namespace is refused instead of sharing its queues.
      const intruder = launch({ PORT: String(await freePort()), REDIS_URL, STACK_PREFIX: `mserve-${ports[0]}` });
      expect((await intruder.exited).code).toBe(1);
      expect(intruder.output()).toMatch(new RegExp(`namespace "mserve-${ports[0]}" is in use by another pnpm start`));

      const perStack = 6;
      const ids = await Promise.all(
        [0, 1].map((i) =>
          Promise.all(Array.from({ length: perStack }, () => submit(urls[i] ?? '', image, receivers[i]?.url ?? ''))),
        ),
      );
      await until(() => receivers.every((r) => r.got.length >= perStack), 60_000, 'deliveries');
      // Anything misrouted would arrive late, after a retry: give it the time to.
      await new Promise((r) => setTimeout(r, 1500));
      for (const i of [0, 1]) {
        const got = receivers[i]?.got ?? [];
        expect(got.every((d) => d.verified)).toBe(true);
        expect(got.map((d) => d.jobId).sort()).toEqual([...(ids[i] ?? [])].sort());
        const dead = await fetch(`http://127.0.0.1:${notifierPorts[i]}/dead-letters`, {
          headers: { authorization: `Bearer ${tokens[i]}` },
        });
        expect(((await dead.json()) as { total: number }).total).toBe(0);
      }
    } finally {
      await Promise.all(stacks.map((s) => s.cleanup()));
      await Promise.all(receivers.map((r) => r.close()));
      // The stacks' namespaces in the shared Redis.
      for (const p of ports) {
        const keys = await redis.keys(`mserve-${p}:*`);
        if (keys.length) await redis.del(...keys);
      }
      redis.disconnect();
    }
  }, 240_000);
});
