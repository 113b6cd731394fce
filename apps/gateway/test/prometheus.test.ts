import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import {
  REDIS_URL,
  ROOT,
  closeHttp,
  dropQueue,
  freePort,
  postImage,
  request,
  sampleImages,
  startGateway,
  startWorker,
  uniqueQueue,
  waitUntil,
  type Proc,
} from '@mserve/testkit';

// A real Prometheus (Debian package `prometheus`, installed by .ci/run) scraping a running gateway and worker every
// second with the rules of infra/prometheus, read back by PromQL over its HTTP API.
const queue = uniqueQueue('prometheus');
const env = { REDIS_URL, QUEUE_NAME: queue };
const procs: Proc[] = [];
const storage = mkdtempSync(path.join(tmpdir(), 'mserve-prom-'));
let prometheus: ChildProcess | undefined;
let promOut = '';
let prom = '';
let gateway = '';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const maybe = hasPrometheus || process.env['CI'] ? describe : describe.skip;

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await request(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (res.status !== 200) throw new Error(`query ${expr}: ${res.status} ${res.text}`);
  return res.body.data.result;
}

beforeAll(async () => {
  const w = await startWorker(env);
  procs.push(w.proc);
  const g = await startGateway(env);
  procs.push(g.proc);
  gateway = g.base;
  if (!hasPrometheus) return;
  const port = await freePort();
  prom = `http://127.0.0.1:${port}`;
  const config = path.join(storage, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${path.join(ROOT, 'infra/prometheus/rules.yml')}']`,
      'scrape_configs:',
      `  - job_name: gateway`,
      `    static_configs: [{ targets: ['${new URL(gateway).host}'] }]`,
      `  - job_name: worker`,
      `    static_configs: [{ targets: ['127.0.0.1:${w.port}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(storage, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr?.on('data', (b: Buffer) => (promOut += b.toString()));
  await waitUntil(
    async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${promOut}`);
      return (await request(`${prom}/-/ready`).catch(() => undefined))?.status === 200;
    },
    30_000,
    'prometheus',
  );
}, 120_000);

afterAll(async () => {
  closeHttp();
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus?.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  rmSync(storage, { recursive: true, force: true });
  await Promise.all(procs.map((p) => p.stop()));
  const redis = new IORedis(REDIS_URL);
  const keys = await redis.keys(`bull:${queue}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await dropQueue(queue);
});

maybe('a real Prometheus scraping the stack', () => {
  it('reads back the jobs, latency and drift series the stack exports, and loads every rule healthy', async () => {
    const digits = sampleImages().filter((i) => /^\d+\.png$/.test(i.name));
    for (const d of digits) expect((await postImage(gateway, '/v1/predict', d.bytes, '?samples=2')).status).toBe(200);

    // Both targets up, then the series of the predictions just made.
    await waitUntil(async () => (await query('sum(up)'))[0]?.value[1] === '2', 30_000, 'both targets up');
    await waitUntil(
      async () =>
        Number((await query('sum(worker_jobs_total{status="completed"})'))[0]?.value[1] ?? 0) >= digits.length,
      30_000,
      'worker_jobs_total scraped',
    );
    await waitUntil(
      async () => Number((await query('max(drift_requests{window="5m"})'))[0]?.value[1] ?? 0) >= digits.length,
      30_000,
      'drift_requests scraped',
    );
    const predicts = await query('sum(http_request_duration_seconds_count{route="/v1/predict",status="200"})');
    expect(Number(predicts[0]?.value[1])).toBe(digits.length);
    const accuracy = await query('drift_estimated_accuracy{window="5m"}');
    expect(Number(accuracy[0]?.value[1])).toBeGreaterThan(0);
    expect(Number(accuracy[0]?.value[1])).toBeLessThanOrEqual(1);
    // A recording rule of infra/prometheus/rules.yml evaluated on the scraped series.
    await waitUntil(async () => (await query('mserve:drift_score:max')).length > 0, 30_000, 'recording rule');

    const rules = await request(`${prom}/api/v1/rules`);
    const all = (
      rules.body.data.groups as Array<{ rules: Array<{ name: string; health: string; type: string }> }>
    ).flatMap((g) => g.rules);
    expect(all.filter((r) => r.type === 'alerting').map((r) => r.name)).toEqual(
      expect.arrayContaining(['MserveBacklogAge', 'MserveOodRateSpike', 'MserveDriftAlarm']),
    );
    expect(all.filter((r) => r.health !== 'ok' && r.health !== 'unknown')).toEqual([]);
  }, 120_000);
});
