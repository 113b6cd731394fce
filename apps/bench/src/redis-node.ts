/**
 * `pnpm bench:redis`: what one Redis node sustains on this machine, measured with redis-benchmark (Debian's
 * redis-tools) against a private redis-server, written to reports/redis-node.json for the capacity model
 * (`redis-capacity.ts`). Run it on a quiet machine: the rate is the machine's, not Redis' alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot } from '@mserve/common';
import { parseBenchmarkCsv, type RedisNodeReport } from './redis-capacity';

const TESTS = 'set,get,lpush,rpop,hset,zadd';
const CLIENTS = 50;
const REQUESTS = Number(process.env['REDIS_BENCH_REQUESTS'] ?? 100_000);

function benchmark(port: number, pipeline: number): Array<{ test: string; rps: number }> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-q', '--csv', '-c', String(CLIENTS), '-n', String(REQUESTS)];
  const r = spawnSync('redis-benchmark', [...args, '-P', String(pipeline), '-t', TESTS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-benchmark failed: ${r.stderr}`);
  return parseBenchmarkCsv(r.stdout);
}

async function main(): Promise<void> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  try {
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const version = /v=(\S+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
    const perRoundTrip = benchmark(port, 1);
    const pipelined = benchmark(port, 16);
    const report: RedisNodeReport = {
      command: 'pnpm bench:redis',
      generatedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg()[0] ?? 0 },
      redisVersion: version,
      clients: CLIENTS,
      requests: REQUESTS,
      perRoundTrip,
      pipelined,
    };
    const file = path.join(repoRoot(), 'reports', 'redis-node.json');
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`redis-node: ${perRoundTrip.map((r) => `${r.test} ${r.rps}/s`).join(', ')} -> ${file}\n`);
  } finally {
    server.kill('SIGKILL');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:redis: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
