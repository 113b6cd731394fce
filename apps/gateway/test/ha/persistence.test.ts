import { rmSync } from 'node:fs';
import {
  closeHttp,
  request,
  sampleImages,
  startDataNode,
  startGateway,
  uniqueQueue,
  waitUntil,
  type Proc,
  type RedisNode,
} from '@mserve/testkit';
import { writeHaReport } from './report';
import { closeTraffic, startTraffic } from './traffic';

/**
 * A single Redis killed (SIGKILL) and restarted from its own files while jobs are being acknowledged, under each
 * persistence setting: how many acknowledged jobs the restarted Redis no longer has. No worker runs, so every
 * acknowledged job must still be there (queued) unless Redis lost it.
 */
const MODES = [
  { name: 'no persistence', args: ['--appendonly', 'no'] },
  { name: 'appendfsync everysec', args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] },
  { name: 'appendfsync always', args: ['--appendonly', 'yes', '--appendfsync', 'always'] },
] as const;
const SUBMIT_PER_S = 150;

const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
let node: (RedisNode & { dir: string }) | undefined;
let gateway: Proc | undefined;

afterAll(async () => {
  closeHttp();
  closeTraffic();
  await gateway?.stop();
  await node?.kill();
  if (node) rmSync(node.dir, { recursive: true, force: true });
});

describe('Redis restart under each persistence setting', () => {
  it('keeps every acknowledged job with append-only files (everysec and always) and loses them without', async () => {
    const rows: Array<Record<string, unknown>> = [];
    for (const mode of MODES) {
      const queue = uniqueQueue('ha-aof');
      const fresh = await startDataNode({ args: [...mode.args] });
      const g = await startGateway(
        {
          REDIS_URL: `redis://127.0.0.1:${fresh.port}`,
          QUEUE_NAME: queue,
          MAX_QUEUE_DEPTH: '100000',
          LOG_LEVEL: 'warn',
        },
        true,
        180_000,
      );
      node = fresh;
      gateway = g.proc;
      const traffic = startTraffic({
        base: g.base,
        image: digit,
        predictPerS: 0,
        submitPerS: SUBMIT_PER_S,
        hangMs: 10_000,
      });
      await new Promise((r) => setTimeout(r, 2000));
      await fresh.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      const outcomes = await traffic.stop();
      // The same files, the same settings: what Redis recovers on its own.
      await fresh.restart();
      await waitUntil(
        async () => (await request(`${g.base}/readyz`).catch(() => undefined))?.status === 200,
        30_000,
        'readiness',
      );
      const acked = outcomes.filter((o) => o.status === 202 && o.id);
      let lost = 0;
      for (const o of acked) {
        const r = await request(`${g.base}/v1/jobs/${o.id as string}`);
        if (r.status === 404) lost++;
      }
      const latencies = acked.map((o) => o.endedAt - o.sentAt).sort((a, b) => a - b);
      rows.push({
        mode: mode.name,
        args: mode.args.join(' '),
        acknowledged: acked.length,
        lost,
        submitP50Ms: latencies[Math.floor(latencies.length / 2)] ?? null,
      });
      await g.proc.stop();
      await fresh.kill();
      rmSync(fresh.dir, { recursive: true, force: true });
      gateway = undefined;
      node = undefined;
    }
    process.stdout.write(`ha-persistence: ${JSON.stringify(rows)}\n`);
    writeHaReport(
      'ha-persistence',
      { submitPerS: SUBMIT_PER_S, killedWith: 'SIGKILL of redis-server (the machine keeps running)', rows },
      [
        '# Redis restart: acknowledged jobs lost per persistence setting',
        '',
        'redis-server killed with SIGKILL while submissions are acknowledged, restarted from its own files.',
        '',
        '| setting | acknowledged | lost | submit p50 (ms) |',
        '| --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r['mode']} | ${r['acknowledged']} | ${r['lost']} | ${r['submitP50Ms']} |`),
        '',
        'A process kill leaves what Redis wrote to the kernel in the page cache, so `everysec` loses nothing here;',
        'it can lose up to a second of writes when the machine itself stops (power, kernel), which this test cannot',
        'cause. `always` fsyncs before it answers and loses nothing in either case.',
      ].join('\n'),
    );
    const [none, everysec, always] = rows;
    expect(none!['acknowledged']).toBeGreaterThan(0);
    expect(none!['lost']).toBe(none!['acknowledged']);
    expect(everysec!['lost']).toBe(0);
    expect(always!['lost']).toBe(0);
  }, 600_000);
});
