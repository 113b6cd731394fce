import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { queueShards, shardOf } from '@mserve/contracts';
import {
  ROOT,
  freePort,
  redisCli,
  request,
  sampleImages,
  spawnTs,
  startClusterTopology,
  uniqueQueue,
  waitUntil,
  type ClusterTopology,
  type Proc,
} from '@mserve/testkit';
import { describeLoadSuite } from '../load-suite';
import { writeHaReport } from './report';

/**
 * The serving suite's load test, unchanged, on a real Redis Cluster of three primaries with the jobs spread over
 * three hash-tagged queue shards: every BullMQ script and every script of the gateway must keep to one slot, and
 * the shards must land on different primaries. Then a job with a webhook, delivered by a notifier on the same
 * cluster (the delivery queue, which gateway, worker and notifier share, must keep to one slot as well).
 */
const SHARDS = 3;
/**
 * REDIS_URL names a port where nothing listens: every connection must find the cluster through
 * REDIS_CLUSTER_NODES (the connection factory), none may fall back to the machine's own Redis.
 */
const NOWHERE = 'redis://127.0.0.1:1';
const queue = uniqueQueue('ha-cluster');
let cluster: ClusterTopology;
let notifier: Proc | undefined;
let notifierPort = 0;
/** What the webhook receiver got: one body per delivery. */
const delivered: string[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    delivered.push(Buffer.concat(chunks).toString());
    res.writeHead(204).end();
  });
});

beforeAll(async () => {
  cluster = await startClusterTopology(SHARDS);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  notifierPort = await freePort();
  notifier = spawnTs(path.join(ROOT, 'apps/notifier/src/main.ts'), {
    REDIS_CLUSTER_NODES: cluster.nodeList,
    REDIS_URL: NOWHERE,
    NOTIFIER_HTTP_PORT: String(notifierPort),
    HOST: '127.0.0.1',
    WEBHOOK_SECRETS: `whsec_${randomBytes(24).toString('base64')}`,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  await waitUntil(
    async () => {
      if (notifier?.child.exitCode !== null) throw new Error(`notifier exited:\n${notifier?.output()}`);
      return (await request(`http://127.0.0.1:${notifierPort}/healthz`).catch(() => undefined))?.status === 200;
    },
    60_000,
    'notifier',
  );
}, 90_000);

afterAll(async () => {
  await notifier?.stop();
  await new Promise((r) => receiver.close(r));
});

describeLoadSuite({
  env: () => ({
    REDIS_CLUSTER_NODES: cluster.nodeList,
    REDIS_URL: NOWHERE,
    QUEUE_NAME: queue,
    QUEUE_SHARDS: String(SHARDS),
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  }),
  reportSuffix: '-cluster',
  startMs: 180_000,
  afterJobs: async (ids) => {
    const shards = queueShards(queue, SHARDS);
    const perPort = new Map<number, number>();
    const perShard = shards.map(() => 0);
    for (const id of ids) {
      const s = shardOf(id, SHARDS);
      const key = `bull:${shards[s]}:${id}`;
      const port = cluster.portOfKey(key);
      // The job's hash is on the primary that owns its shard's slot.
      expect(redisCli(port, 'EXISTS', key)).toBe('1');
      perPort.set(port, (perPort.get(port) ?? 0) + 1);
      perShard[s]!++;
    }
    const spread = [...perPort.values()];
    writeHaReport(
      'ha-cluster',
      { primaries: SHARDS, shards, jobs: ids.length, jobsPerShard: perShard, jobsPerPrimary: spread },
      `# Redis Cluster: ${ids.length} jobs over ${SHARDS} queue shards\n\n| shard | jobs |\n| --- | --- |\n${shards
        .map((s, i) => `| \`${s}\` | ${perShard[i]} |`)
        .join('\n')}\n\nPrimaries holding jobs: ${spread.length} of ${SHARDS}.`,
    );
    expect(spread).toHaveLength(SHARDS);
    for (const n of spread) expect(n).toBeGreaterThan(ids.length / (SHARDS * 2));
  },
  more: (gatewayBase) => {
    describe('webhooks on the cluster', () => {
      it("delivers a finished job's webhook through the notifier, and the gateway shows it delivered", async () => {
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
        const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
        const form = new FormData();
        form.append('image', new Blob([digit], { type: 'image/png' }), '5.png');
        form.append('webhook', JSON.stringify({ url, events: ['completed'] }));
        const sub = await fetch(`${gatewayBase()}/v1/jobs`, { method: 'POST', body: form });
        expect(sub.status).toBe(202);
        const { id } = (await sub.json()) as { id: string };
        await waitUntil(() => delivered.some((b) => b.includes(id)), 30_000, 'the webhook delivery');
        let last: unknown;
        await waitUntil(
          async () => {
            last = (await request(`${gatewayBase()}/v1/jobs/${id}`)).body;
            return (last as { webhook?: { state?: string } }).webhook?.state === 'delivered';
          },
          10_000,
          'the delivery state',
        ).catch((e: Error) => {
          throw new Error(`${e.message}; last: ${JSON.stringify(last)}`);
        });
        expect(delivered.filter((b) => b.includes(id))).toHaveLength(1);
      }, 60_000);

      it('creates, lists and revokes an API key with pnpm keys on the cluster (key and index in one slot)', async () => {
        const keys = async (...args: string[]) =>
          (
            await promisify(execFile)(
              process.execPath,
              ['--conditions=development', '--import', 'tsx', 'packages/tenancy/src/cli.ts', ...args],
              { cwd: ROOT, env: { ...process.env, REDIS_CLUSTER_NODES: cluster.nodeList, REDIS_URL: NOWHERE } },
            )
          ).stdout;
        const made = JSON.parse(await keys('create', '--tenant', 'acme', '--scopes', 'predict', '--json')) as {
          id: string;
        };
        const key = `bull:{mserve:auth}:key:${made.id}`;
        expect(redisCli(cluster.portOfKey(key), 'HGET', key, 'tenant')).toBe('acme');
        const listed = JSON.parse(await keys('list', '--json')) as Array<{ id: string; revokedAt?: string }>;
        expect(listed.map((k) => k.id)).toContain(made.id);
        expect(await keys('revoke', made.id)).toContain(`revoked ${made.id}`);
        const after = JSON.parse(await keys('list', '--json')) as Array<{ id: string; revokedAt?: string }>;
        expect(after.find((k) => k.id === made.id)?.revokedAt).toBeTruthy();
      }, 60_000);

      it('counts the predictions the workers recorded in GET /v1/monitoring (drift buckets on the cluster)', async () => {
        let last: { windows?: Record<string, { requests: number }> } = {};
        await waitUntil(
          async () => {
            const r = await request(`${gatewayBase()}/v1/monitoring`);
            last = r.body as typeof last;
            // The load tests above finished a thousand jobs; workers add their counts once a second.
            return r.status === 200 && (last.windows?.['5m']?.requests ?? 0) >= 1000;
          },
          15_000,
          'monitoring counts',
        ).catch((e: Error) => {
          throw new Error(`${e.message}; last: ${JSON.stringify(last).slice(0, 300)}`);
        });
      }, 30_000);
    });
  },
  cleanup: async () => {
    await cluster?.stop();
  },
});
